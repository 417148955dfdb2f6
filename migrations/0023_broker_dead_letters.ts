import type { Kysely } from 'kysely';
import { runStatements } from './statements.js';

/**
 * Dead letters of the Broker as well as of the outbox: an event the Broker gave up delivering to one subscriber is
 * sent to the events function's dead-letter sink, and one event may fail at several subscribers. So a dead letter is
 * an event and the destination it failed at ('' for the hop from the publisher to the Broker, the outbox's own), with
 * the status the destination last answered (null when nothing answered, or for the outbox's).
 */
const statements = `
    alter table dead_letters add column destination text not null default '';
    alter table dead_letters add column error_code integer;
    alter table dead_letters drop constraint dead_letters_pkey;
    alter table dead_letters add primary key (id, destination);
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, statements);
}
