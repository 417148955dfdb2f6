import type { S3Endpoint } from '../domain/s3-sign-request.js';
import type { S3Prefix } from '../domain/session-policy.js';
import type { ResolvedCredentials } from '../storage/warehouse-storage.js';
import type { WarehouseSummary } from '../store/warehouses.js';

/** What signing needs of a table, kept briefly: signing is per S3 request, a table's location changes rarely. */
export interface SignableTable {
  warehouse: WarehouseSummary;
  prefixes: S3Prefix[];
  columns: string[];
  endpoint: S3Endpoint;
  credentials: ResolvedCredentials;
}

/**
 * How long a table's location and the warehouse's settings are reused between signing requests. The caller's
 * access is decided on every request against the policy set in force, so a revoked grant stops signing at once. A
 * table dropped, renamed or committed through this process is read again at once (forgetSignableTables); through
 * another replica, within this time.
 */
export const SIGNABLE_TABLE_TTL_MS = 1000;
/**
 * A kept entry is read again this long before it expires, in the background, while the one in hand still serves:
 * otherwise every request in flight when it expired waited on the store together, once a second per table, and a
 * client reading a table hard saw that in its p99. The bound stays: no entry serves past its own TTL, and an entry
 * whose re-read has not come back by then is waited for as before.
 */
const REFRESH_AHEAD_MS = 250;
const MAX_TABLES = 10_000;
interface Kept {
  until: number;
  value: Promise<SignableTable>;
  /** The re-read started ahead of expiry, if any, and when it started: its value is fresh from then. */
  next?: { at: number; value: Promise<SignableTable> } | undefined;
}

/** The signable tables this process keeps, by table key: one set per process, in the catalog's context. */
export class SignableTables {
  private readonly kept = new Map<string, Kept>();

  /** The table kept under `key`, or read with `load` (again ahead of its expiry, in the background). */
  get(key: string, load: () => Promise<SignableTable>): Promise<SignableTable> {
    const now = Date.now();
    const tables = this.kept;
    const hit = tables.get(key);
    if (hit && hit.until > now) {
      if (!hit.next && hit.until - now <= REFRESH_AHEAD_MS) this.refreshAhead(key, hit, load, now);
      return hit.value;
    }
    // Expired. A re-read under way (or failed: a dropped table) is the freshest answer there is, kept a TTL from its start.
    const fresh = hit?.next && hit.next.at + SIGNABLE_TABLE_TTL_MS > now ? hit.next : { at: now, value: load() };
    if (!hit && tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
    const entry: Kept = { until: fresh.at + SIGNABLE_TABLE_TTL_MS, value: fresh.value };
    tables.set(key, entry);
    fresh.value.catch(() => {
      if (tables.get(key) === entry) tables.delete(key);
    });
    return fresh.value;
  }

  forget(key: string): void {
    this.kept.delete(key);
  }

  /** Reads the table again before its entry expires; once in, the new value replaces the entry, with a TTL counted from the read's start. */
  private refreshAhead(key: string, hit: Kept, load: () => Promise<SignableTable>, now: number): void {
    const tables = this.kept;
    const next = { at: now, value: load() };
    hit.next = next;
    next.value.then(
      () => {
        if (tables.get(key) === hit) tables.set(key, { until: next.at + SIGNABLE_TABLE_TTL_MS, value: next.value });
      },
      // A failed re-read (the table dropped, the store away) stays in hit.next: the entry still serves until its own
      // expiry, then that failure is the answer (and the entry goes), as a read made at expiry would have failed.
      () => undefined,
    );
  }
}
