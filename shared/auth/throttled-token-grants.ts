import { setTimeout as sleep } from 'node:timers/promises';
import { OAuthError } from '../errors/index.js';
import { CredentialThrottle, throttleKeys, type ThrottleKey } from './credential-throttle.js';
import { TOKEN_EXCHANGE, basicCredentials } from './grants.js';
import type { ThrottleStore } from './throttle-store.js';
import { issueToken, type TokenGrantDependencies, type TokenOutcome, type TokenRequestInput } from './token-grants.js';

/** The counters a token request spends when its credential is wrong. */
function keysOf(input: TokenRequestInput, authorization: string | undefined, address: string | undefined): ThrottleKey[] {
  const keys: ThrottleKey[] = [];
  if (input.grant_type === 'password' && input.username) keys.push(throttleKeys.account(input.username, address));
  if (input.grant_type === 'client_credentials') {
    const clientId = basicCredentials(authorization)?.id ?? input.client_id;
    if (clientId) keys.push(throttleKeys.client(clientId));
  }
  // Every guessed credential (password, client secret, refresh token, a PAT as subject token) spends the address's budget.
  if (['password', 'client_credentials', 'refresh_token', TOKEN_EXCHANGE].includes(input.grant_type)) keys.push(throttleKeys.address(address));
  return keys;
}

/** A wrong credential, as opposed to a malformed request (invalid_request), which guesses nothing. */
const isWrongCredential = (err: unknown) => err instanceof OAuthError && (err.oauthCode === 'invalid_grant' || err.oauthCode === 'invalid_client');

/**
 * The token endpoint's grants behind brute force detection (credential-throttle.ts): a blocked key answers 429 with
 * Retry-After before any credential is checked, a wrong credential is counted, a right one forgets its account's
 * failures. `address` is the client's address (RequestContext.ip).
 */
export async function issueTokenThrottled(
  platform: TokenGrantDependencies & { readonly throttleStore: ThrottleStore },
  input: TokenRequestInput,
  authorization: string | undefined,
  address: string | undefined,
): Promise<TokenOutcome> {
  const keys = keysOf(input, authorization, address);
  const throttle = new CredentialThrottle(platform.throttleStore, platform.config);
  await throttle.refuseIfBlocked(keys);
  let outcome: TokenOutcome;
  try {
    outcome = await issueToken(platform, input, authorization);
  } catch (err) {
    if (isWrongCredential(err) && keys.length > 0) {
      const delayMs = await throttle.failed(keys);
      if (delayMs > 0) await sleep(delayMs);
    }
    throw err;
  }
  await throttle.succeeded(keys);
  return outcome;
}
