import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';

export interface BundleRow {
  id: string;
  version: number;
  digest: string;
  revision: string;
  description: string;
  uploaded_at: Date;
  uploaded_by: string | null;
}

export interface ActivationRow {
  bundle_id: string | null;
  kind: 'activate' | 'rollback';
  control_version: string;
  activated_at: Date;
  activated_by: string | null;
}

/**
 * The control policy bundles (their archives), which one is in force (policy_state.control_bundle_id, null: the
 * shipped one) at which control version, and every activation.
 */
export interface ControlBundleStore {
  activeBundleId(): Promise<string | null>;
  /** The bundle in force and the control version, locked for the rest of the transaction (queues activations and uploads). */
  lockState(): Promise<{ bundleId: string | null; controlVersion: number }>;
  /** Stores a bundle with the next version; call under lockState(). */
  insert(bundle: { digest: string; revision: string; description: string; archive: Buffer; uploadedBy: string }): Promise<BundleRow>;
  list(): Promise<BundleRow[]>;
  exists(id: string): Promise<boolean>;
  /** Puts a bundle (null: the shipped one) in force at a control version, and records the activation. */
  activate(bundleId: string | null, kind: 'activate' | 'rollback', controlVersion: number, actor: string): Promise<void>;
  /** The latest activations, newest first. */
  activations(limit: number): Promise<ActivationRow[]>;
}

const COLUMNS = ['id', 'version', 'digest', 'revision', 'description', 'uploaded_at', 'uploaded_by'] as const;

/** The PostgreSQL store (PGlite runs the same SQL). */
export function controlBundleStore(db: Executor): ControlBundleStore {
  return {
    async activeBundleId() {
      return (await db.selectFrom('policy_state').select('control_bundle_id').where('id', '=', 1).executeTakeFirstOrThrow()).control_bundle_id;
    },
    async lockState() {
      const s = await db.selectFrom('policy_state').select(['control_bundle_id', 'control_version']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
      return { bundleId: s.control_bundle_id, controlVersion: Number(s.control_version) };
    },
    async insert({ digest, revision, description, archive, uploadedBy }) {
      const next = (
        await db
          .selectFrom('control_policy_bundles')
          .select(sql<number>`coalesce(max(version), 0) + 1`.as('v'))
          .executeTakeFirstOrThrow()
      ).v;
      return db
        .insertInto('control_policy_bundles')
        .values({ id: randomUUID(), version: Number(next), digest, revision, description, archive, uploaded_by: uploadedBy })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
    },
    async list() {
      return db.selectFrom('control_policy_bundles').select(COLUMNS).orderBy('version', 'desc').execute();
    },
    async exists(id) {
      return (await db.selectFrom('control_policy_bundles').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
    async activate(bundleId, kind, controlVersion, actor) {
      await db
        .updateTable('policy_state')
        .set({ control_bundle_id: bundleId, control_version: String(controlVersion), updated_at: new Date() })
        .where('id', '=', 1)
        .execute();
      await db
        .insertInto('control_policy_activations')
        .values({ bundle_id: bundleId, kind, control_version: String(controlVersion), activated_by: actor })
        .execute();
    },
    async activations(limit) {
      return db.selectFrom('control_policy_activations').selectAll().orderBy('id', 'desc').limit(limit).execute();
    },
  };
}
