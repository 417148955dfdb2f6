import type { Kysely } from 'kysely';
import { runStatements } from './statements.js';

/**
 * One store for every route's Idempotency-Key (shared/http/idempotency.ts): the catalog's keys become rows of scope
 * 'catalog', and a manual or webhook run's key, kept until now on the run itself (job_runs.idempotency_key, as
 * "<key>#<fingerprint of the overrides>"), becomes a row of scope "jobs/<job id>" whose stored answer names the run,
 * so a retry sent across the upgrade still replays the run it made. Keys are text: a job's are not UUIDs.
 */
const statements = `
    alter table catalog_idempotency_keys rename to idempotency_keys;
    alter table idempotency_keys drop constraint catalog_idempotency_keys_pkey;
    alter table idempotency_keys alter column key type text;
    alter table idempotency_keys add column scope text not null default 'catalog';
    alter table idempotency_keys alter column scope drop default;
    alter table idempotency_keys add primary key (scope, key);
    insert into idempotency_keys (scope, key, operation, principal, status, body, created_at)
      select 'jobs/' || job_id, split_part(idempotency_key, '#', 1), 'startRun ' || split_part(idempotency_key, '#', 2), coalesce(requested_by, 'unknown'), 201, json_build_object('id', id)::text, created_at
      from job_runs where idempotency_key is not null;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, statements);
}
