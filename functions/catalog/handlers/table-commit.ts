import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor, Tx } from '../../../shared/db/index.js';
import { BadRequestError, CommitFailedError, LakeplaneError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { catalogContext, type CatalogState } from '../catalog-context.js';
import { displayNamespace } from '../domain/identifiers.js';
import type { TableMetadata } from '../domain/table-metadata.js';
import { TableMetadataBuilder } from '../domain/table-metadata-builder.js';
import { checkTableRequirements } from '../domain/table-requirements.js';
import type { TableRequirementValue, TableUpdateValue } from '../schemas/iceberg-requests.js';
import { missing, requireNamespace } from '../store/catalog-objects.js';
import {
  currentMetadataLocation,
  findTableForCommit,
  holdTablePointer,
  swapTablePointer,
  type CommitTarget,
  type TablePointer,
} from '../store/table-pointers.js';
import { requireWarehouse, type WarehouseRef } from '../store/warehouses.js';
import type { CommitBase, CommitBaseCache } from './commit-base-cache.js';
import { tableKey } from './metadata-cache.js';
import { checkObjectLocations, deleteMetadataFile, readStoredMetadata, writeTableMetadata } from './table-files.js';
import type { Actor } from './actor.js';
import { ensureNameFree, insertObject, snapshotIdString } from './objects/common.js';

export interface TableChange {
  identifier: { namespace: string[]; name: string };
  requirements: TableRequirementValue[];
  updates: TableUpdateValue[];
}

export interface CommittedTable {
  metadataLocation: string;
  metadataText: string;
  /** Metadata files the commit let go of, to delete once it has committed (write.metadata.delete-after-commit.enabled). */
  obsoleteMetadataFiles: string[];
}

/**
 * Runs the pointer swap: in the transaction the request's Idempotency-Key is written in too (the route mutates in
 * steps), or, when `oneStatement` says the swap is a single statement (one existing table changed) and the caller
 * has nothing to write with it, on its own: PostgreSQL commits a statement alone as atomically, and BEGIN and COMMIT
 * were two of a commit's round trips to the database.
 */
export type CommitIn<R> = (swap: (db: Executor) => Promise<CommittedTable[]>, oneStatement: boolean) => Promise<R>;

const DELETE_AFTER_COMMIT = 'write.metadata.delete-after-commit.enabled';

/**
 * How often the server takes a commit whose table changed under it (its requirements still holding against the new
 * metadata) and applies its updates again, before it answers 409 and lets the client retry.
 */
export const COMMIT_ATTEMPTS = 10;

/** One table of a commit, read and built outside any transaction. */
interface Plan {
  change: TableChange;
  key: string;
  target: CommitTarget;
  /** The table's pointer the commit was built on; undefined for a create. */
  table: TablePointer | undefined;
  base: TableMetadata | null;
  metadata: TableMetadata;
  changed: boolean;
  /** The new metadata file, once written. */
  written?: { location: string; text: string };
  /** Built on the kept metadata without reading the table (planOnKept). */
  kept?: boolean;
}

/** Another change reached a table first: its pointer is not the one the commit was built on. */
class LostRace extends Error {}

const keyOf = (c: TableChange) => `${c.identifier.namespace.join('\x1F')}\x00${c.identifier.name}`;

/**
 * Commits changes to one or more tables of a warehouse, all or nothing, optimistically as Iceberg's own catalogs do.
 * Each table's pointer is read without a lock, its requirements are checked against it, the updates applied and the
 * new metadata file written, all outside any transaction. Then one short transaction swaps every pointer, in one
 * global order, each only if it still is the one the commit was built on (compare-and-set); tables the transaction
 * only asserts things of are held with a shared lock. If another change got there first, nothing is changed, the new
 * files are deleted, and the commit starts over from the table as it is now: its requirements decide whether it
 * still applies (they are what the client asserted, so updates go on top of whatever else landed meanwhile, as the
 * reference server's retries do). A requirement that fails is 409 CommitFailed; so is a commit that keeps losing
 * after COMMIT_ATTEMPTS tries. Commits to the same table from this process take turns (commit-lanes.ts), so they
 * race only with other replicas, and one built on a base another commit has just replaced is refused before it
 * writes anything. A table whose metadata this process keeps (from the last commit or read of it here) is not read
 * first: the compare-and-set tells whether that still is the table's current version (planOnKept).
 */
export async function commitTables<R>(platform: Platform, prefix: string, changes: TableChange[], actor: Actor, commitIn: CommitIn<R>): Promise<R> {
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(keyOf(c)))
      throw new BadRequestError(`Table ${displayNamespace(c.identifier.namespace)}.${c.identifier.name} appears more than once in the transaction`);
    seen.add(keyOf(c));
  }
  const arrived = performance.now();
  const catalog = platform.contextOf(catalogContext);
  const ordered = [...changes].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const release = await catalog.commitLanes.enter(ordered.map((c) => tableKey(prefix, c.identifier.namespace, c.identifier.name)));
  try {
    return await commitWithRetries(platform, catalog, prefix, changes, ordered, actor, commitIn, arrived);
  } finally {
    release();
  }
}

async function commitWithRetries<R>(
  platform: Platform,
  catalog: CatalogState,
  prefix: string,
  changes: TableChange[],
  ordered: TableChange[],
  actor: Actor,
  commitIn: CommitIn<R>,
  arrived: number,
): Promise<R> {
  const db = platform.store.db;
  // The first attempt may build on the kept metadata; once something did not work out, every table is read.
  let useKept = true;
  // Whether an attempt built on what a read found and lost the race: updates that no longer apply are then a conflict.
  let rebuilt = false;
  for (let attempt = 1; ; attempt++) {
    const plans = await planCommits(db, catalog.commitBases, prefix, ordered, { useKept, rebuilt, arrived });
    const writes = await Promise.allSettled(plans.map((p) => writeMetadataFile(p)));
    const failed = writes.find((w) => w.status === 'rejected');
    if (failed) {
      await discardFiles(platform, plans, false);
      // Built on kept settings that may be out of date (credentials, say): read them and try again.
      if (plans.some((p) => p.kept)) {
        useKept = false;
        continue;
      }
      throw failed.reason;
    }
    // Whether the swap may have committed: once the transaction's swaps are done (its COMMIT may fail without saying
    // whether it took), or once a swap on its own was sent (it commits by itself).
    let swapped = false;
    const oneStatement = plans.length === 1 && plans[0]!.written !== undefined && plans[0]!.table !== undefined;
    const sent = performance.now();
    try {
      const result = await commitIn(async (db) => {
        if (!db.isTransaction) swapped = true;
        const committed = await swapPointers(db, platform, plans, actor);
        swapped = true;
        const byChange = new Map(plans.map((p, i) => [p.change, committed[i]!]));
        return changes.map((c) => byChange.get(c)!);
      }, oneStatement);
      remember(catalog, plans, sent);
      return result;
    } catch (err) {
      // A pointer swap that was sent but whose transaction failed later may or may not have committed: then only
      // files no pointer names are deleted.
      await discardFiles(platform, plans, swapped && !(err instanceof LostRace));
      if (!(err instanceof LostRace)) throw err;
      catalog.metrics.commitLostRaces.inc();
      rebuilt ||= plans.some((p) => !p.kept);
      useKept = false;
      if (attempt >= COMMIT_ATTEMPTS) throw new CommitFailedError(`Commit failed: ${err.message}, ${COMMIT_ATTEMPTS} times in a row; retry`);
      // A plan on kept metadata that lost was built on an old version: read at once. Otherwise the race was with
      // another replica (this one's commits to the table take turns): a random pause, growing with each loss, keeps
      // two replicas from meeting again in step.
      if (plans.every((p) => p.kept)) continue;
      await sleep(Math.random() * Math.min(100, 5 * 2 ** attempt));
    }
  }
}

interface PlanOptions {
  useKept: boolean;
  rebuilt: boolean;
  arrived: number;
}

async function planCommits(
  db: Executor,
  bases: CommitBaseCache,
  prefix: string,
  ordered: TableChange[],
  { useKept, rebuilt, arrived }: PlanOptions,
): Promise<Plan[]> {
  const now = Date.now();
  const plans: Plan[] = [];
  for (const change of ordered) {
    const creating = change.requirements.some((r) => r.type === 'assert-create');
    const { levels, name } = { levels: change.identifier.namespace, name: change.identifier.name };
    const key = tableKey(prefix, levels, name);
    const known = bases.get(key);
    if (known && known.currentAfter >= arrived) refuseEarly(known.metadata, change.requirements);
    const kept = useKept && known && !creating ? planOnKept(change, key, known, now) : undefined;
    if (kept) {
      plans.push(kept);
      continue;
    }
    const asked = performance.now();
    const target = await findTableForCommit(db, prefix, levels, name, known);
    if (!target) {
      // The warehouse or the namespace is missing: the same answers as ever.
      if (creating) await requireNamespace(db, prefix, levels);
      await requireWarehouse(db, prefix);
      throw missing('table', levels, name);
    }
    const object = target.object;
    if (object && object.kind !== 'table') {
      if (creating) await ensureNameFree(db, target.namespace, name, 'table');
      throw missing('table', levels, name);
    }
    if (!creating && !object) throw missing('table', levels, name);
    const base = object ? baseOf(bases, key, object, known, asked, target) : null;
    checkTableRequirements(base, change.requirements);
    let metadata: TableMetadata;
    let changed: boolean;
    try {
      const builder = new TableMetadataBuilder(base, now).applyAll(change.updates);
      metadata = builder.build(object?.metadata_location ?? null);
      changed = builder.hasChanges || !base;
      checkObjectLocations(target.warehouse, metadata, base);
    } catch (err) {
      // The updates applied to the table as a read found it earlier, not to the one another commit made of it
      // meanwhile: that is a conflict to retry from a fresh load, not a bad request.
      if (rebuilt && err instanceof LakeplaneError && err.status === 400) {
        throw new CommitFailedError(
          `Commit failed: table ${displayNamespace(levels)}.${name} was changed concurrently and the updates no longer apply: ${err.message}`,
        );
      }
      throw err;
    }
    plans.push({ change, key, target, table: object, base, metadata, changed });
  }
  return plans;
}

/**
 * A commit whose requirements fail against a table's kept metadata, kept since the commit arrived (a commit that
 * waited its turn behind the one that made it, typically), is refused without reading the table again: the table was
 * in that state at a moment while the commit was being handled, and that is a moment it may be answered as of, as
 * if it had been read then. Its requirements failing against an older state would prove nothing; then, or when they
 * hold, the commit goes on to read the table as it is now.
 */
function refuseEarly(base: TableMetadata, requirements: TableRequirementValue[]): void {
  try {
    checkTableRequirements(base, requirements);
  } catch (err) {
    if (err instanceof CommitFailedError) throw err;
  }
}

/**
 * A table's plan built on its kept metadata, without reading the table: the swap's compare-and-set checks that the
 * table still is that version (and its warehouse's settings the same) when it lands, which is all a read just before
 * would have told, as the table may change between the read and the swap anyway. Commits to a table from this
 * process take turns and keep what they made, so the kept metadata is nearly always the current one; when it is not,
 * the swap loses and the commit is built again on a read. Undefined when the requirements fail or the updates do
 * not apply to the kept metadata: the table is then read, and that decides.
 */
function planOnKept(change: TableChange, key: string, known: CommitBase, now: number): Plan | undefined {
  try {
    checkTableRequirements(known.metadata, change.requirements);
    const builder = new TableMetadataBuilder(known.metadata, now).applyAll(change.updates);
    const metadata = builder.build(known.location);
    checkObjectLocations(known.target.warehouse, metadata, known.metadata);
    const table: TablePointer = {
      id: known.id,
      kind: 'table',
      name: change.identifier.name,
      metadata_location: known.location,
      version: known.version,
      metadata: null,
    };
    return { change, key, target: { ...known.target, object: table }, table, base: known.metadata, metadata, changed: builder.hasChanges, kept: true };
  } catch {
    return undefined;
  }
}

/** The table's current metadata, parsed: the kept copy when the row still is the one it was kept for. */
function baseOf(bases: CommitBaseCache, key: string, object: TablePointer, known: CommitBase | undefined, asked: number, found: CommitTarget): TableMetadata {
  const target = { warehouse: found.warehouse, warehouseVersion: found.warehouseVersion, namespace: found.namespace };
  if (object.metadata === null && known) {
    // Still current when the read was sent.
    bases.remember(key, { ...known, currentAfter: asked, target });
    return known.metadata;
  }
  if (object.metadata === null) throw new Error(`commit: no metadata for ${object.metadata_location}`);
  const metadata = readStoredMetadata(object.metadata);
  bases.remember(key, {
    id: object.id,
    version: object.version,
    location: object.metadata_location,
    metadata,
    size: object.metadata.length,
    currentAfter: asked,
    target,
  });
  return metadata;
}

async function writeMetadataFile(plan: Plan): Promise<void> {
  if (!plan.changed) return;
  plan.written = await writeTableMetadata(plan.target.warehouse, plan.metadata, plan.table?.metadata_location ?? null);
}

const inTransaction = (db: Executor): db is Tx => db.isTransaction;

/**
 * Every pointer swapped (or a table created, or held unchanged), in the global order: in a transaction, or, for the
 * one swap of a one-statement commit, on its own.
 */
async function swapPointers(db: Executor, platform: Platform, plans: Plan[], actor: Actor): Promise<CommittedTable[]> {
  const results: CommittedTable[] = [];
  for (const plan of plans) {
    const { change, target, table, base, metadata, written } = plan;
    const what = `table ${displayNamespace(target.namespace.levels)}.${change.identifier.name} was changed concurrently`;
    if (!written || !table) {
      // A hold (a shared row lock) and a create (the row and its event) mean something only in a transaction.
      if (!inTransaction(db)) throw new Error('commit: only the swap of one existing table runs outside a transaction');
      if (!written) {
        // Nothing to change here, but the requirements were checked against this pointer: it must stay as it is.
        const text = await holdTablePointer(db, table!.id, table!.metadata_location, table!.version);
        if (text === undefined) throw new LostRace(what);
        results.push({ metadataLocation: table!.metadata_location, metadataText: text, obsoleteMetadataFiles: [] });
      } else {
        await insertObject(db, platform, 'table', target.warehouse, target.namespace, change.identifier.name, metadata['table-uuid'], written, actor, metadata);
        results.push({ metadataLocation: written.location, metadataText: written.text, obsoleteMetadataFiles: [] });
      }
      continue;
    }
    const event = committedEvent(target.warehouse, target.namespace.levels, table, written.location, metadata['current-snapshot-id'], change.updates, actor);
    const swap = {
      id: table.id,
      expectedLocation: table.metadata_location,
      expectedVersion: table.version,
      warehouseId: target.warehouse.id,
      warehouseVersion: target.warehouseVersion,
      location: written.location,
      metadata: written.text,
    };
    if (!(await swapTablePointer(db, swap, platform.outbox.rowsOf([event])[0]!))) throw new LostRace(what);
    platform.outbox.published([event]);
    let obsolete: string[] = [];
    if (base && metadata.properties[DELETE_AFTER_COMMIT] === 'true') {
      const kept = new Set(metadata['metadata-log'].map((e) => e['metadata-file']));
      obsolete = [...base['metadata-log'].map((e) => e['metadata-file']), table.metadata_location].filter((f) => !kept.has(f));
    }
    results.push({ metadataLocation: written.location, metadataText: written.text, obsoleteMetadataFiles: obsolete });
  }
  return results;
}

function committedEvent(
  warehouse: WarehouseRef,
  levels: string[],
  table: TablePointer,
  location: string,
  snapshotId: unknown,
  updates: TableUpdateValue[],
  actor: Actor,
) {
  return {
    type: CatalogEvents.tableCommitted,
    subject: `catalog/${warehouse.name}/tables/${table.id}`,
    data: {
      warehouse: warehouse.name,
      namespace: levels,
      name: table.name,
      uuid: table.id,
      metadataLocation: location,
      previousMetadataLocation: table.metadata_location,
      currentSnapshotId: snapshotIdString(snapshotId),
      updates: updates.map((u) => u.action),
      actor: actor.name,
    },
  };
}

/**
 * After the commit: what it produced is the next commit's base and the next load's answer, so neither reads and
 * parses it again (both caches check the row's id, version and location on every use).
 */
function remember({ commitBases: bases, metadataCache: loads }: CatalogState, plans: Plan[], sent: number): void {
  for (const { key, table, metadata, written, target } of plans) {
    if (!written || !table) continue;
    const pointer = { id: table.id, version: table.version + 1, location: written.location };
    bases.remember(key, {
      ...pointer,
      metadata,
      size: written.text.length,
      currentAfter: sent,
      target: { warehouse: target.warehouse, warehouseVersion: target.warehouseVersion, namespace: target.namespace },
    });
    loads.remember(key, pointer, written.text);
  }
}

/**
 * The files of a commit that did not land: no pointer names them, and no reader was ever given their name. With
 * `check` (the transaction failed after the swap, so it may have committed), each is kept if a pointer names it.
 * Best effort: a file left behind is an orphan no table refers to.
 */
async function discardFiles(platform: Platform, plans: Plan[], check: boolean): Promise<void> {
  await Promise.all(
    plans.map(async ({ written, table, metadata, target }) => {
      if (!written) return;
      try {
        if (check && (await currentMetadataLocation(platform.store.db, table?.id ?? metadata['table-uuid'])) === written.location) return;
        await deleteMetadataFile(target.warehouse, written.location);
      } catch (err) {
        platform.logger.warn({ err, file: written.location }, 'could not delete the metadata file of a commit that did not land');
      }
    }),
  );
}
