import { hashSecret, newSecret, SECRET_PREFIX } from '../../../../shared/auth/index.js';
import type { NewSecret } from '../../store/service-account-store.js';

/** A new client secret: the secret itself, shown once, and what is stored of it. */
export function newClientSecret(expiresInDays: number | undefined): { secret: string; stored: NewSecret } {
  const secret = newSecret(SECRET_PREFIX.clientSecret, 48);
  return {
    secret,
    stored: {
      secretHash: hashSecret(secret),
      displayPrefix: secret.slice(0, SECRET_PREFIX.clientSecret.length + 6),
      expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
    },
  };
}
