import { isUniqueViolation, type Executor, type Tx } from '../../../shared/db/index.js';
import { BadRequestError, LakeplaneError, renderError } from '../../../shared/errors/index.js';
import type { Reply, RequestContext } from '../../../shared/http/index.js';
import { RawJson } from '../../../shared/json/index.js';

/** Advertised in /v1/config; keys are kept a day, well past it, and then swept. */
export const IDEMPOTENCY_KEY_LIFETIME = 'PT30M';
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function bodyText(body: unknown): string | null {
  if (body === undefined) return null;
  return body instanceof RawJson ? body.text : JSON.stringify(body);
}

type Ctx = RequestContext<unknown, unknown, unknown>;

/** Opens the transaction a mutation's change commits in, with its Idempotency-Key (if any) written in it too. */
export interface Transact {
  (work: (tx: Tx) => Promise<Reply>): Promise<Reply>;
  /**
   * For a change that is one statement: without a key to write it runs on its own, as PostgreSQL commits a single
   * statement (one round trip instead of three with BEGIN and COMMIT); with a key, in the transaction as above.
   */
  oneStatement(work: (db: Executor) => Promise<Reply>): Promise<Reply>;
}

/**
 * Runs a catalog mutation in one transaction and, when the request carries an Idempotency-Key, makes it happen once.
 * The key is inserted first, in the mutation's own transaction: a concurrent retry waits on it and then replays what
 * the first attempt answered. Final answers are kept (2xx and deterministic 4xx); 5xx are not, so they can be retried.
 */
export async function mutate(ctx: Ctx, operation: string, run: (tx: Tx) => Promise<Reply>): Promise<Reply> {
  return mutateInSteps(ctx, operation, (transact) => transact(run));
}

/**
 * mutate() for a mutation that does its slow work (writing files) before its transaction: `run` does that work with
 * no transaction open, then calls `transact` for the short transaction the change, its outbox rows and the key
 * commit in. It may call `transact` again when that transaction lost a race (each call is a transaction of its own;
 * only the one that commits leaves the key behind). The key is checked before `run` starts and written in the
 * transaction, so a retry that arrives while the first attempt is still working waits on the key and replays.
 */
export async function mutateInSteps(ctx: Ctx, operation: string, run: (transact: Transact) => Promise<Reply>): Promise<Reply> {
  const db = ctx.platform.store.db;
  const header = ctx.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined) return run(Object.assign((work: (tx: Tx) => Promise<Reply>) => db.transaction().execute(work), { oneStatement: (work: (db: Executor) => Promise<Reply>) => work(db) }));
  if (!UUID.test(key)) throw new BadRequestError(`Idempotency-Key must be a UUID (UUIDv7 recommended), got ${JSON.stringify(key)}`);
  const principal = ctx.principal ? `${ctx.principal.kind}:${ctx.principal.id}` : 'anonymous';

  const replay = async (): Promise<Reply | undefined> => {
    const row = await db.selectFrom('catalog_idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row || row.status === 0) return undefined;
    if (row.operation !== operation) throw new BadRequestError(`Idempotency-Key ${key} was already used for another operation (${row.operation})`);
    return { status: row.status, ...(row.body !== null ? { body: new RawJson(row.body) } : {}), headers: { 'idempotency-replayed': 'true' } };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const withKey = (work: (tx: Tx) => Promise<Reply>) =>
      db.transaction().execute(async (tx) => {
        await tx.insertInto('catalog_idempotency_keys').values({ key, operation, principal, status: 0, body: null }).execute();
        const reply = await work(tx);
        await tx.updateTable('catalog_idempotency_keys').set({ status: reply.status, body: bodyText(reply.body) }).where('key', '=', key).execute();
        return reply;
      });
    return await run(Object.assign(withKey, { oneStatement: withKey }));
  } catch (err) {
    if (isUniqueViolation(err)) {
      const replayed = await replay();
      if (replayed) return replayed;
    }
    if (err instanceof LakeplaneError && err.status >= 400 && err.status < 500) {
      const rendered = renderError(err, 'iceberg');
      await db
        .insertInto('catalog_idempotency_keys')
        .values({ key, operation, principal, status: rendered.status, body: JSON.stringify(rendered.body) })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    }
    throw err;
  }
}
