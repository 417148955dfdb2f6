import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Static } from '@sinclair/typebox';
import { withDatabaseErrors, type Executor, type JobRow, type Tx } from '../../../shared/db/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/errors/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import { JobEvents } from '../../../shared/domains/contracts/index.js';
import { jobProblems, type JobSpec } from '../../../shared/domains/jobs/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { ListJobsQuery } from '../schemas.js';

export function toJob(row: JobRow) {
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

function validate(spec: JobSpec): void {
  const problems = jobProblems(spec);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** The spec as stored: without owner (a column of its own). */
function stored(spec: JobSpec): string {
  const { owner: _owner, ...rest } = spec;
  return JSON.stringify(rest);
}

async function announce(platform: Platform, tx: Tx, row: JobRow, change: 'create' | 'update' | 'delete', actor: string): Promise<void> {
  await platform.outbox.publish(tx, { type: JobEvents.jobChanged, subject: `jobs/${row.id}`, data: { jobId: row.id, name: row.name, version: row.version, change, actor } });
}

export async function createJob(platform: Platform, spec: JobSpec, owner: string, actor: string) {
  validate(spec);
  const row = await platform.store.db.transaction().execute(async (tx) => {
    const created = await withDatabaseErrors(`job "${spec.name}"`, () =>
      tx.insertInto('jobs').values({ id: randomUUID(), name: spec.name, owner, spec: stored(spec), created_by: actor, updated_by: actor }).returningAll().executeTakeFirstOrThrow(),
    );
    await tx.insertInto('job_versions').values({ job_id: created.id, version: created.version, spec: stored(spec), created_by: actor }).execute();
    await announce(platform, tx, created, 'create', actor);
    return created;
  });
  return toJob(row);
}

export async function requireJob(db: Executor, id: string, lock = false): Promise<JobRow> {
  let q = db.selectFrom('jobs').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFoundError(`job ${id} does not exist`);
  return row;
}

export async function listJobs(db: Executor, query: Static<typeof ListJobsQuery>, onlyOwner: string | undefined) {
  const size = query.pageSize ?? 100;
  const cursor = decodeCursor(query.pageToken);
  let q = db.selectFrom('jobs').selectAll();
  const owner = onlyOwner ?? query.owner;
  if (owner) q = q.where('owner', '=', owner);
  if (query.type) q = q.where(sql`spec ->> 'type'`, '=', query.type);
  if (query.tag) q = q.where(sql`spec -> 'tags'`, '@>', JSON.stringify([query.tag]));
  if (query.name) q = q.where(sql`lower(name)`, 'like', `%${query.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at').orderBy('id').limit(size + 1).execute();
  return pageOf(rows, size, toJob);
}

/** Replaces a job (a new version); with If-Match, only if nobody changed it since. Runs keep the version they ran. */
export async function replaceJob(platform: Platform, id: string, spec: JobSpec, owner: string | undefined, expectedVersion: number | undefined, actor: string, mayChange: (current: JobRow) => void) {
  validate(spec);
  const row = await platform.store.db.transaction().execute(async (tx) => {
    const current = await requireJob(tx, id, true);
    mayChange(current);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new ConflictError(`job ${id} is at version ${current.version}, not ${expectedVersion}: someone changed it; read it again and retry`);
    }
    const updated = await withDatabaseErrors(`job "${spec.name}"`, () =>
      tx
        .updateTable('jobs')
        .set({ name: spec.name, owner: owner ?? current.owner, spec: stored(spec), version: current.version + 1, updated_at: new Date(), updated_by: actor })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    await tx.insertInto('job_versions').values({ job_id: id, version: updated.version, spec: stored(spec), created_by: actor }).execute();
    await announce(platform, tx, updated, 'update', actor);
    return updated;
  });
  return toJob(row);
}

/** Deletes a job; its versions and runs stay as history. Refused (409) while it has runs in progress. */
export async function deleteJob(platform: Platform, id: string, expectedVersion: number | undefined, actor: string, mayChange: (current: JobRow) => void): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const current = await requireJob(tx, id, true);
    mayChange(current);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new ConflictError(`job ${id} is at version ${current.version}, not ${expectedVersion}`);
    const active = await tx.selectFrom('job_runs').select('id').where('job_id', '=', id).where('state', 'in', ['QUEUED', 'SUBMITTED', 'RUNNING']).limit(1).executeTakeFirst();
    if (active) throw new ConflictError(`job ${current.name} has a run in progress (${active.id}): cancel it first`);
    await tx.deleteFrom('jobs').where('id', '=', id).execute();
    await announce(platform, tx, { ...current, version: current.version + 1 }, 'delete', actor);
  });
}

export async function jobVersions(db: Executor, id: string) {
  const rows = await db.selectFrom('job_versions').selectAll().where('job_id', '=', id).orderBy('version', 'desc').execute();
  if (rows.length === 0) throw new NotFoundError(`job ${id} does not exist and never did`);
  return { items: rows.map((r) => ({ version: r.version, createdAt: r.created_at.toISOString(), createdBy: r.created_by, spec: r.spec as unknown as JobSpec })) };
}
