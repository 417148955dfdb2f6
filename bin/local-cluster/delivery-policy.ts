import type { DeliverySpec } from './eventing-manifests.js';

/**
 * Knative's retry rules for one delivery, from its data-plane contract: 2xx is delivered; 404, 408, 409, 429 and 5xx
 * (and a request that got no answer) are tried again; any other answer is final. The n-th retry waits
 * backoffDelay * n (linear) or backoffDelay * 2^n (exponential).
 */
export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}

export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 404 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait before retry number `retry` (1 for the first retry). */
export function backoffMs(spec: DeliverySpec, retry: number): number {
  return spec.backoffPolicy === 'linear' ? spec.backoffDelayMs * retry : spec.backoffDelayMs * 2 ** retry;
}
