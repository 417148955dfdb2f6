import type { Tx } from '../../../../shared/db/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import { PolicyEvents } from '../../../../shared/policy/index.js';
import { controlBundleStore } from '../../store/control-bundle-store.js';

/**
 * Puts a bundle (or, with null, the shipped one) in force, as one versioned step every process picks up; the caller
 * drops this process's engine once it committed.
 */
export async function putInForce(platform: FunctionServices, tx: Tx, bundleId: string | null, kind: 'activate' | 'rollback', actor: string) {
  const store = controlBundleStore(tx);
  const current = await store.lockState();
  if (bundleId && !(await store.exists(bundleId))) throw new NotFoundError(`control policy bundle ${bundleId} does not exist`);
  const version = current.controlVersion + 1;
  await store.activate(bundleId, kind, version, actor);
  await platform.outbox.publish(tx, {
    type: PolicyEvents.controlBundleActivated,
    subject: `control-policies/${bundleId ?? 'shipped'}`,
    data: { bundleId, controlVersion: version, kind, actor },
  });
  return { active: bundleId ?? 'shipped', controlVersion: version, kind };
}
