import { consumer, type EventConsumer, type LakeplaneFunction } from '../http/index.js';
import { PolicyEvents } from '../policy/index.js';

/**
 * Events every function consumes besides its own: a change of the policies in force. A process that receives one
 * re-reads the store at its next decision instead of at its next poll (LAKEPLANE_POLICY_REFRESH_MS), so an
 * activation or a policy edit reaches it at once. The store stays the truth: the event only says "look now", and a
 * process the event misses (another replica of the function; the broker delivers to one) still catches up by polling.
 * The new bundle or policy set is loaded whole before it replaces the old one (VersionWatcher), so no decision is
 * made with half of it. The effect is on the receiving process alone, so every process applies every delivery (a
 * repeat only makes it look once more); nothing is recorded per function, which would let one process's receipt
 * stand for another's.
 */
export const platformConsumers: readonly EventConsumer[] = [
  consumer({
    type: PolicyEvents.controlBundleActivated.type,
    schema: PolicyEvents.controlBundleActivated.schema,
    scope: 'process',
    handle: async (ctx, data) => {
      ctx.platform.controlPolicies.invalidate();
      ctx.log.info({ controlVersion: data.controlVersion, bundleId: data.bundleId }, 'control bundle change received: reloading');
    },
  }),
  consumer({
    type: PolicyEvents.dataPolicyChanged.type,
    schema: PolicyEvents.dataPolicyChanged.schema,
    scope: 'process',
    handle: async (ctx, data) => {
      ctx.platform.dataPolicies.invalidate();
      ctx.log.info({ policySetVersion: data.policySetVersion, policyId: data.policyId }, 'data policy change received: reloading');
    },
  }),
];

/** What a function consumes when it runs: the platform's events, then its own. */
export function consumersOf(fn: LakeplaneFunction): readonly EventConsumer[] {
  return [...platformConsumers, ...fn.consumes];
}
