import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import { withDatabaseErrors, type Executor, type JobRow } from '../../../shared/db/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import type { JobSpec } from '../../../shared/domains/jobs/index.js';
import type { Job, JobVersions, ListJobsQuery } from '../schemas.js';

export type JobView = Static<typeof Job>;
export type JobVersion = Static<typeof JobVersions>['items'][number];

/**
 * Job definitions and their versions, as the jobs function keeps them. Names are unique: a clash is a ConflictError.
 * A job's runs are the run store's (shared/domains/jobs); deleting a job keeps its versions and its runs.
 */
export interface JobStore {
  find(id: string): Promise<JobRow | undefined>;
  /** The job as it is, locked for the rest of the transaction. */
  lock(id: string): Promise<JobRow | undefined>;
  /** Oldest first; `onlyOwner` (a member's own) before the query's owner. */
  list(query: Static<typeof ListJobsQuery>, onlyOwner: string | undefined): Promise<{ items: JobView[]; nextPageToken: string | null }>;
  /** The job at version 1, and its first version. */
  create(spec: JobSpec, owner: string, actor: string): Promise<JobRow>;
  /** The job at the next version (`version`), and that version. */
  replace(id: string, spec: JobSpec, owner: string, version: number, actor: string): Promise<JobRow>;
  delete(id: string): Promise<void>;
  /** A run of the job in progress, if there is one. */
  activeRun(id: string): Promise<string | undefined>;
  /** Every version, newest first (they outlive the job). */
  versions(id: string): Promise<JobVersion[]>;
  /** Keeps a trigger token's hash (only the hash), or forgets it. */
  setTriggerToken(id: string, token: { hash: string; createdAt: Date } | null): Promise<void>;
}

export function toJob(row: JobRow): JobView {
  const spec = row.spec as unknown as JobSpec;
  return {
    ...spec,
    id: row.id,
    owner: row.owner,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

/** The spec as stored: without owner (a column of its own). */
function stored(spec: JobSpec): string {
  const { owner: _owner, ...rest } = spec;
  return JSON.stringify(rest);
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function jobStore(db: Executor): JobStore {
  const byId = (id: string) => db.selectFrom('jobs').selectAll().where('id', '=', id);
  return {
    find: (id) => byId(id).executeTakeFirst(),
    lock: (id) => byId(id).forUpdate().executeTakeFirst(),

    async list(query, onlyOwner) {
      const size = query.pageSize ?? 100;
      const cursor = decodeCursor(query.pageToken);
      let q = db.selectFrom('jobs').selectAll();
      const owner = onlyOwner ?? query.owner;
      if (owner) q = q.where('owner', '=', owner);
      if (query.type) q = q.where(sql`spec ->> 'type'`, '=', query.type);
      if (query.tag) q = q.where(sql`spec -> 'tags'`, '@>', JSON.stringify([query.tag]));
      if (query.name) q = q.where(sql`lower(name)`, 'like', `%${query.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await q
        .orderBy('created_at')
        .orderBy('id')
        .limit(size + 1)
        .execute();
      return pageOf(rows, size, toJob);
    },

    async create(spec, owner, actor) {
      const created = await withDatabaseErrors(`job "${spec.name}"`, () =>
        db
          .insertInto('jobs')
          .values({ id: randomUUID(), name: spec.name, owner, spec: stored(spec), created_by: actor, updated_by: actor })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      await db
        .insertInto('job_versions')
        .values({ job_id: created.id, version: created.version, spec: stored(spec), created_by: actor })
        .execute();
      return created;
    },

    async replace(id, spec, owner, version, actor) {
      const updated = await withDatabaseErrors(`job "${spec.name}"`, () =>
        db
          .updateTable('jobs')
          .set({ name: spec.name, owner, spec: stored(spec), version, updated_at: new Date(), updated_by: actor })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      await db
        .insertInto('job_versions')
        .values({ job_id: id, version: updated.version, spec: stored(spec), created_by: actor })
        .execute();
      return updated;
    },

    async delete(id) {
      await db.deleteFrom('jobs').where('id', '=', id).execute();
    },

    async activeRun(id) {
      const active = await db
        .selectFrom('job_runs')
        .select('id')
        .where('job_id', '=', id)
        .where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING'])
        .limit(1)
        .executeTakeFirst();
      return active?.id;
    },

    async versions(id) {
      const rows = await db.selectFrom('job_versions').selectAll().where('job_id', '=', id).orderBy('version', 'desc').execute();
      return rows.map((r) => ({ version: r.version, createdAt: r.created_at.toISOString(), createdBy: r.created_by, spec: r.spec as unknown as JobSpec }));
    },

    async setTriggerToken(id, token) {
      await db
        .updateTable('jobs')
        .set({ trigger_token_hash: token?.hash ?? null, trigger_token_created_at: token?.createdAt ?? null })
        .where('id', '=', id)
        .execute();
    },
  };
}
