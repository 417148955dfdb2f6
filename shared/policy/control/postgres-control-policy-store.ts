import type { Executor } from '../../db/index.js';
import type { ControlPolicyStore } from './control-policy-store.js';

/** The PostgreSQL store (PGlite runs the same SQL): policy_state's one row, control_policy_bundles by id. */
export function postgresControlPolicyStore(db: Executor): ControlPolicyStore {
  return {
    async inForce() {
      const s = await db.selectFrom('policy_state').select(['control_version', 'control_bundle_id']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { version: Number(s.control_version), bundleId: s.control_bundle_id };
    },

    async archive(bundleId) {
      return (await db.selectFrom('control_policy_bundles').select('archive').where('id', '=', bundleId).executeTakeFirstOrThrow()).archive;
    },
  };
}
