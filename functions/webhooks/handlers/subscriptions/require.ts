import type { Config } from '../../../../shared/config/index.js';
import { NotFoundError, ValidationError } from '../../../../shared/errors/index.js';
import { allowedRanges, checkTarget, TargetRefusedError } from '../../targets/index.js';
import type { SubscriptionStore, SubscriptionView } from '../../store/subscription-store.js';

/**
 * Refuses a URL whose host is or resolves to an internal address (400 naming the field). Only handlers call it, after
 * the declaration's authorization: resolving names for callers who may not subscribe would let them probe the
 * cluster's DNS.
 */
export async function requireReachableTarget(config: Config, url: string): Promise<void> {
  try {
    await checkTarget(url, allowedRanges(config));
  } catch (err) {
    if (err instanceof TargetRefusedError) throw new ValidationError([{ in: 'body', field: 'url', message: `refused as a webhook target: ${err.message}` }]);
    throw err;
  }
}

export async function requireSubscription(store: SubscriptionStore, id: string): Promise<SubscriptionView> {
  const found = await store.find(id);
  if (!found) throw new NotFoundError(`webhook subscription ${id} does not exist`);
  return found;
}
