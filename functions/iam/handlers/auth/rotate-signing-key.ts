import { IamEvents } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';

/**
 * The key store rotates in its own transaction and reloads its keys after it (shared/auth/signing-keys.ts); the
 * announcement of the new key commits after that, in its own.
 */
export const rotateSigningKey: Handler = async (ctx) => {
  const rotated = await ctx.platform.keys.rotate();
  return ctx.transact(async (tx) => {
    await ctx.platform.outbox.publish(tx, { type: IamEvents.signingKeyRotated, subject: `signing-keys/${rotated.kid}`, data: rotated });
    return json(200, rotated);
  });
};
