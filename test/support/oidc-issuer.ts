import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * A tiny but real OIDC issuer on loopback, standing in for Keycloak, Okta, Entra ID or Dex: it serves a discovery
 * document and a JWKS over HTTP and signs RS256 tokens with the key the JWKS publishes. The server under test finds
 * it the way it finds any issuer: by fetching `${issuer}/.well-known/openid-configuration`, then its jwks_uri.
 */
export interface OidcIssuer {
  /** The issuer URL exactly as it appears in `iss` and in the discovery document. */
  readonly issuer: string;
  /** Audience tokens carry unless mint() is told otherwise. */
  readonly audience: string;
  /** kid of the key tokens are signed with now. */
  readonly kid: string;
  /** How often the server under test fetched each document, to show what it caches. */
  readonly requests: { discovery: number; jwks: number };
  /** Signs a token; standard claims get sensible defaults (iss, aud, iat, exp in 5 minutes, a fresh jti). */
  mint(claims: TokenClaims, options?: MintOptions): Promise<string>;
  /** Switches to a new key pair with a new kid; the JWKS publishes only the new key unless keepPrevious is set. */
  rotateKey(options?: { keepPrevious?: boolean }): Promise<{ previousKid: string; kid: string }>;
  close(): Promise<void>;
}

export interface TokenClaims {
  sub?: string;
  preferred_username?: string;
  email?: string;
  name?: string;
  groups?: unknown;
  /** Keycloak puts realm roles here; configure groupsClaim 'realm_access.roles' to map them. */
  realm_access?: { roles: string[] };
  [claim: string]: unknown;
}

export interface MintOptions {
  /** Overrides the iss claim (default: this issuer). */
  issuer?: string;
  /** Overrides the aud claim (default: the issuer's audience). */
  audience?: string | string[];
  /** Seconds from now until exp; negative for an already expired token. Default 300. */
  expiresIn?: number;
  /** Leave these standard claims out altogether. */
  omit?: Array<'iss' | 'aud' | 'exp' | 'iat' | 'jti'>;
  /** Sign with this private key instead of the issuer's current one (forgeries); the header still says `kid`. */
  signWith?: CryptoKey;
  /** Header kid (default: the current key's). */
  kid?: string;
}

export interface StartOidcIssuerOptions {
  /** Path of the issuer below the origin, Keycloak style. Default '/realms/lakeplane'. */
  path?: string;
  /** Append a '/' to the issuer URL, as Auth0 and Entra ID v1 (https://sts.windows.net/<tenant>/) do. */
  trailingSlash?: boolean;
  audience?: string;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startOidcIssuer(options: StartOidcIssuerOptions = {}): Promise<OidcIssuer> {
  const path = (options.path ?? '/realms/lakeplane').replace(/\/+$/, '');
  const audience = options.audience ?? 'lakeplane';
  let current = await newSigningKey();
  let published: SigningKey[] = [current];
  const requests = { discovery: 0, jwks: 0 };

  // Bound below, once the port is known.
  let origin = '';
  let issuer = '';

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' });
    // Discovery lives at <issuer without trailing slash>/.well-known/openid-configuration (OIDC Discovery 1.0 §4).
    if (url.pathname === `${path}/.well-known/openid-configuration`) {
      requests.discovery++;
      return send(res, 200, {
        issuer,
        jwks_uri: `${origin}${path}/jwks.json`,
        authorization_endpoint: `${origin}${path}/auth`,
        token_endpoint: `${origin}${path}/token`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (url.pathname === `${path}/jwks.json`) {
      requests.jwks++;
      return send(res, 200, { keys: published.map((k) => k.publicJwk) });
    }
    return send(res, 404, { error: 'not found' });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${origin}${path}${options.trailingSlash ? '/' : ''}`;

  return {
    get issuer() {
      return issuer;
    },
    audience,
    get kid() {
      return current.kid;
    },
    requests,

    async mint(claims, opts = {}) {
      const omit = new Set(opts.omit ?? []);
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { ...claims };
      if (!omit.has('iss')) payload['iss'] = opts.issuer ?? issuer;
      if (!omit.has('aud')) payload['aud'] = opts.audience ?? audience;
      if (!omit.has('iat')) payload['iat'] = now;
      if (!omit.has('exp')) payload['exp'] = now + (opts.expiresIn ?? 300);
      // A fresh jti makes every token a distinct string, so the server's per-token principal cache never answers for it.
      if (!omit.has('jti')) payload['jti'] = randomUUID();
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: opts.kid ?? current.kid }).sign(opts.signWith ?? current.privateKey);
    },

    async rotateKey(opts = {}) {
      const previousKid = current.kid;
      current = await newSigningKey();
      published = opts.keepPrevious ? [...published, current] : [current];
      return { previousKid, kid: current.kid };
    },

    async close() {
      // The server under test keeps connections alive; drop them so close() does not wait for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
