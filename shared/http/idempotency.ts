import { isUniqueViolation, type Db, type Executor, type Tx } from '../db/index.js';
import { BadRequestError, LakeplaneError, renderError, type ErrorShape } from '../errors/index.js';
import { RawJson } from '../json/index.js';
import { postgresIdempotencyKeyStore } from './postgres-idempotency-key-store.js';
import type { Reply, RequestContext } from './route.js';

/**
 * How a route makes a request with an `Idempotency-Key` header happen once. The key is inserted first, in the
 * change's own transaction: a concurrent retry waits on it and then replays what the first attempt answered. Final
 * answers are kept (2xx, and deterministic 4xx where `keepsRefusals`); 5xx are not, so they can be retried.
 */
export interface IdempotencyDeclaration<I> {
  /**
   * The key's namespace: a key is unique within it ('catalog'; one job's runs: `jobs/<id>`). It is the name of the
   * function that writes it, or begins with that name and a slash: that function's idempotencyKeySweep forgets it.
   */
  readonly scope: (input: I) => string;
  /** The request the key stands for: the same key sent with another one is refused (`reused`). */
  readonly operation: (input: I) => string;
  /** What a key must look like, and the message when it does not. */
  readonly key: { readonly pattern: RegExp; readonly message: (key: string) => string };
  /** The refusal of a key already used for another operation; `earlier` is the answer kept for it (what it made). */
  readonly reused: (key: string, earlierOperation: string, earlier: Reply) => LakeplaneError;
  /** Whether a 4xx answer is kept and replayed too (Iceberg's catalogs do), or a refused request may be sent again. */
  readonly keepsRefusals: boolean;
  /**
   * A replay's answer: by default the stored one; a route may answer from it afresh (a run as it is now), or add what
   * belongs to the request replayed to and is never stored (the caller's storage credentials).
   */
  readonly replay?: (stored: Reply, db: Executor, to: ReplayedTo<I>) => Promise<Reply>;
}

/** The request a stored answer is replayed to: its input, and its context (its caller's headers, the services). */
export interface ReplayedTo<I> {
  readonly input: I;
  readonly context: RequestContext<unknown, unknown, unknown>;
}

/** The transaction an operation's change commits in: called once, or again after a lost race (each call its own). */
export interface Transact {
  <T extends Reply>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * For a change that is one statement: without a key to write it runs on its own, as PostgreSQL commits a single
   * statement (one round trip instead of three with BEGIN and COMMIT); with a key, in a transaction as above.
   */
  oneStatement<T extends Reply>(work: (db: Executor) => Promise<T>): Promise<T>;
}

/** A key this request carries, resolved against the route's declaration. */
export interface IdempotentRequest {
  readonly scope: string;
  readonly key: string;
  readonly operation: string;
  readonly principal: string;
}

export const REPLAYED_HEADER = 'idempotency-replayed';

function bodyText(body: unknown): string | null {
  if (body === undefined) return null;
  return body instanceof RawJson ? body.text : JSON.stringify(body);
}

/** The key of a request, or undefined when it has none; a malformed key is a 400 before anything happens. */
export function idempotentRequest<I>(
  declaration: IdempotencyDeclaration<I>,
  header: string | string[] | undefined,
  input: I,
  principal: string,
): IdempotentRequest | undefined {
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined) return undefined;
  if (!declaration.key.pattern.test(key)) throw new BadRequestError(declaration.key.message(key));
  return { scope: declaration.scope(input), key, operation: declaration.operation(input), principal };
}

/**
 * Runs an operation's change: `run` gets the transact function and calls it for the transaction its change commits
 * in (slow work, such as writing files, may come before). With a key, the stored answer is replayed instead when
 * there is one (to the request `to`, which the declaration's replay may answer afresh); a failed attempt's 4xx is
 * stored when the declaration keeps refusals.
 */
export function runOnce<I>(
  db: Db,
  declaration: IdempotencyDeclaration<I> | undefined,
  request: IdempotentRequest | undefined,
  errorShape: ErrorShape,
  run: (transact: Transact) => Promise<Reply>,
  to: ReplayedTo<I>,
): Promise<Reply> {
  // Not async: a request without a key (nearly all) goes straight to its change, without a promise of its own.
  if (!declaration || !request) return run(transactionsOf(db));
  return runKeyed(db, declaration, request, errorShape, run, to);
}

/** Transactions without a key to write: the same for every request on a database, so made once for it. */
const plainTransacts = new WeakMap<Db, Transact>(); // a memo of a pure function of db, not per-function state
function transactionsOf(db: Db): Transact {
  let transact = plainTransacts.get(db);
  if (!transact) {
    transact = Object.assign(<T extends Reply>(work: (tx: Tx) => Promise<T>) => db.transaction().execute(work), {
      oneStatement: <T extends Reply>(work: (db: Executor) => Promise<T>) => work(db),
    });
    plainTransacts.set(db, transact);
  }
  return transact;
}

async function runKeyed<I>(
  db: Db,
  declaration: IdempotencyDeclaration<I>,
  request: IdempotentRequest,
  errorShape: ErrorShape,
  run: (transact: Transact) => Promise<Reply>,
  to: ReplayedTo<I>,
): Promise<Reply> {
  const { scope, key, operation } = request;
  const replay = async (): Promise<Reply | undefined> => {
    const row = await postgresIdempotencyKeyStore(db).find(scope, key);
    if (!row || row.status === 0) return undefined;
    const stored: Reply = { status: row.status, ...(row.body !== null ? { body: new RawJson(row.body) } : {}), headers: { [REPLAYED_HEADER]: 'true' } };
    if (row.operation !== operation) throw declaration.reused(key, row.operation, stored);
    return declaration.replay ? declaration.replay(stored, db, to) : stored;
  };

  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const withKey = ((work: (tx: Tx) => Promise<Reply>) =>
      db.transaction().execute(async (tx) => {
        const keys = postgresIdempotencyKeyStore(tx);
        await keys.claim(request);
        const reply = await work(tx);
        await keys.settle(scope, key, { status: reply.status, body: bodyText(reply.body) });
        return reply;
      })) as Transact;
    withKey.oneStatement = withKey;
    return await run(withKey);
  } catch (err) {
    if (isUniqueViolation(err)) {
      const replayed = await replay();
      if (replayed) return replayed;
    }
    if (declaration.keepsRefusals && err instanceof LakeplaneError && err.status >= 400 && err.status < 500) {
      const rendered = renderError(err, errorShape);
      await postgresIdempotencyKeyStore(db).keepRefusal(request, { status: rendered.status, body: JSON.stringify(rendered.body) });
    }
    throw err;
  }
}
