import { createHmac, randomBytes } from 'node:crypto';

/** A Standard Webhooks secret: whsec_ and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The Standard Webhooks signature of a delivery: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">, keyed with
 * the secret's bytes (the base64 after whsec_).
 */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Whether a subscription's type patterns take an event type: exact, a prefix ending in *, or * for all. */
export function wants(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('*') && type.startsWith(p.slice(0, -1))));
}

/** Wait before the next try of a delivery: the base doubling per attempt, at most an hour, with up to 20% jitter. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (1 + Math.random() * 0.2));
}
