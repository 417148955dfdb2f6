import { partitionValuesOf, partitionName } from '../domain/partition-names.js';
import { partitionKeyNames } from '../domain/table-document.js';
import { ColumnStatisticsData, type ColumnStatistics } from '../hms/structs.js';
import { invalidInput, invalidObject, noSuchObject } from '../metastore-errors.js';
import type { MetastoreSession } from '../metastore-session.js';
import { columnStatisticsStore, type StoredColumnStatistics } from '../store/column-statistics.js';
import { partitionStore } from '../store/partitions.js';
import { structFromJson, structToJson } from '../thrift/json-value.js';
import { type CallContext, inWarehouse, normalizeName, requireTable } from './call-context.js';
import { tableOf } from './table-reads.js';
import { authorize } from './access.js';

type StatsObject = ColumnStatistics['statsObj'][number];

function objectOf(r: StoredColumnStatistics): StatsObject {
  return {
    colName: r.column_name,
    colType: r.column_type,
    statsData: structFromJson(ColumnStatisticsData, JSON.parse(r.statistics) as Record<string, unknown>),
  };
}

async function statsTarget(c: CallContext, db: string | undefined, tbl: string | undefined) {
  const found = await requireTable(c, db, tbl, true);
  const table = tableOf(found.namespace.leaf, found.object);
  const columns = new Set([...(table.sd?.cols ?? []), ...(table.partitionKeys ?? [])].map((f) => (f.name ?? '').toLowerCase()));
  return { ...found, db: found.namespace.leaf, table, columns, keys: partitionKeyNames(table) };
}

/** A partition name as stored (Hive's canonical spelling), or the NoSuchObjectException when there is none. */
async function storedPartitionName(c: CallContext, t: Awaited<ReturnType<typeof statsTarget>>, name: string | undefined): Promise<string> {
  const values = partitionValuesOf(t.keys, name ?? '');
  const canonical = values ? partitionName(t.keys, values) : undefined;
  const [row] = canonical ? await partitionStore(c.tx).byNames(t.object.id, [canonical]) : [];
  if (!row) throw noSuchObject(`Partition for which stats is gathered doesn't exist: ${t.db}.${t.object.name} ${name ?? ''}`);
  return row.name;
}

/** update_table_column_statistics / update_partition_column_statistics: one row per column, replaced. */
export async function updateColumnStatistics(s: MetastoreSession, stats: ColumnStatistics | undefined, partitionLevel: boolean): Promise<boolean> {
  if (!stats) throw invalidInput('the statistics are missing');
  await authorize(s, 'catalog:table:alter', normalizeName(stats.statsDesc.dbName), normalizeName(stats.statsDesc.tableName));
  return inWarehouse(s, async (c) => {
    const t = await statsTarget(c, stats.statsDesc.dbName, stats.statsDesc.tableName).catch((err: unknown) => {
      throw err instanceof Error && /table not found|no database/.test(err.message)
        ? noSuchObject(`Table ${normalizeName(stats.statsDesc.dbName)}.${normalizeName(stats.statsDesc.tableName)} for which stats is gathered doesn't exist.`)
        : err;
    });
    if (t.object.kind !== 'hive') throw invalidObject(`${t.db}.${t.object.name} is an Iceberg table: its statistics are Iceberg's`);
    const partition = partitionLevel ? await storedPartitionName(c, t, stats.statsDesc.partName) : null;
    for (const o of stats.statsObj) {
      if (!t.columns.has(o.colName.toLowerCase())) throw invalidInput(`Column ${o.colName} does not exist in table ${t.db}.${t.object.name}`);
    }
    await columnStatisticsStore(c.tx).upsert(
      t.object.id,
      partition,
      stats.statsObj.map((o) => ({
        column_name: o.colName.toLowerCase(),
        column_type: o.colType,
        statistics: JSON.stringify(structToJson(ColumnStatisticsData, o.statsData)),
        last_analyzed: stats.statsDesc.lastAnalyzed === undefined ? String(Math.floor(Date.now() / 1000)) : stats.statsDesc.lastAnalyzed.toString(),
      })),
    );
    return true;
  });
}

/** get_table_column_statistics / get_partition_column_statistics: one column's, or NoSuchObjectException. */
export async function getColumnStatistics(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  partName: string | undefined,
  column: string | undefined,
): Promise<ColumnStatistics> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await statsTarget(c, db, tbl);
    const partition = partName === undefined ? null : await storedPartitionName(c, t, partName);
    const rows = await columnStatisticsStore(c.tx).read(t.object.id, partition === null ? null : [partition], [normalizeName(column)]);
    if (rows.length === 0)
      throw noSuchObject(`Specified column stats doesn't exist: ${t.db}.${t.object.name}${partition ? ` ${partition}` : ''} column ${normalizeName(column)}`);
    return {
      statsDesc: {
        isTblLevel: partition === null,
        dbName: t.db,
        tableName: t.object.name,
        ...(partition !== null ? { partName: partition } : {}),
        ...(rows[0]!.last_analyzed !== null ? { lastAnalyzed: BigInt(rows[0]!.last_analyzed) } : {}),
      },
      statsObj: rows.map(objectOf),
    };
  });
}

/** get_table_statistics_req: the asked columns' statistics that exist. */
export async function getTableStatistics(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  columns: readonly string[],
): Promise<StatsObject[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await statsTarget(c, db, tbl);
    return (await columnStatisticsStore(c.tx).read(t.object.id, null, columns.map(normalizeName))).map(objectOf);
  });
}

/** get_partitions_statistics_req: per partition name (as asked), the asked columns' statistics that exist. */
export async function getPartitionsStatistics(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  columns: readonly string[],
  partNames: readonly string[],
): Promise<Map<string, StatsObject[]>> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await statsTarget(c, db, tbl);
    const asked = new Map<string, string>();
    for (const n of partNames) {
      const values = partitionValuesOf(t.keys, n);
      if (values) asked.set(partitionName(t.keys, values), n);
    }
    const rows = await columnStatisticsStore(c.tx).read(t.object.id, [...asked.keys()], columns.map(normalizeName));
    const out = new Map<string, StatsObject[]>();
    for (const r of rows) {
      const key = asked.get(r.partition_name ?? '') ?? r.partition_name ?? '';
      out.set(key, [...(out.get(key) ?? []), objectOf(r)]);
    }
    return out;
  });
}

/** delete_table_column_statistics / delete_partition_column_statistics: one column's, or all with no column named. */
export async function deleteColumnStatistics(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  partName: string | undefined,
  column: string | undefined,
): Promise<boolean> {
  await authorize(s, 'catalog:table:alter', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await statsTarget(c, db, tbl);
    const partition = partName === undefined ? null : await storedPartitionName(c, t, partName);
    const n = await columnStatisticsStore(c.tx).delete(t.object.id, partition, column === undefined || column === '' ? undefined : normalizeName(column));
    if (n === 0)
      throw noSuchObject(`Column stats doesn't exist for ${t.db}.${t.object.name}${partition ? ` ${partition}` : ''}${column ? ` column ${column}` : ''}`);
    return true;
  });
}
