import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';

export interface StoredColumnStatistics {
  partition_name: string | null;
  column_name: string;
  column_type: string;
  statistics: string;
  last_analyzed: string | null;
}

/** Column statistics of metastore tables and their partitions (migrations/0025); a partition's go with it. */
export function columnStatisticsStore(db: Executor) {
  return {
    async upsert(objectId: string, partitionName: string | null, rows: ReadonlyArray<Omit<StoredColumnStatistics, 'partition_name'>>): Promise<void> {
      for (const r of rows) {
        await sql`
          insert into metastore_column_statistics (object_id, partition_name, column_name, column_type, statistics, last_analyzed)
          values (${objectId}, ${partitionName}, ${r.column_name}, ${r.column_type}, ${r.statistics}, ${r.last_analyzed})
          on conflict (object_id, coalesce(partition_name, ''), column_name)
          do update set column_type = excluded.column_type, statistics = excluded.statistics, last_analyzed = excluded.last_analyzed`.execute(db);
      }
    },

    /** A table's (partitionNames null) or some partitions' statistics of some columns (all columns when undefined). */
    async read(objectId: string, partitionNames: readonly string[] | null, columns: readonly string[] | undefined): Promise<StoredColumnStatistics[]> {
      let q = db
        .selectFrom('metastore_column_statistics')
        .select(['partition_name', 'column_name', 'column_type', 'statistics', 'last_analyzed'])
        .where('object_id', '=', objectId)
        .orderBy('partition_name')
        .orderBy('column_name');
      q =
        partitionNames === null
          ? q.where('partition_name', 'is', null)
          : partitionNames.length === 0
            ? q.where(sql<boolean>`false`)
            : q.where('partition_name', 'in', [...partitionNames]);
      if (columns !== undefined) q = columns.length === 0 ? q.where(sql<boolean>`false`) : q.where('column_name', 'in', [...columns]);
      return q.execute();
    },

    /** Deletes statistics; answers how many rows went. */
    async delete(objectId: string, partitionName: string | null, column: string | undefined): Promise<number> {
      let q = db.deleteFrom('metastore_column_statistics').where('object_id', '=', objectId);
      q = partitionName === null ? q.where('partition_name', 'is', null) : q.where('partition_name', '=', partitionName);
      if (column !== undefined) q = q.where('column_name', '=', column);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Renames a column's statistics (ALTER TABLE ... CHANGE COLUMN), or drops those of columns no longer there. */
    async keepColumns(objectId: string, columns: readonly string[]): Promise<void> {
      let q = db.deleteFrom('metastore_column_statistics').where('object_id', '=', objectId);
      if (columns.length > 0) q = q.where('column_name', 'not in', [...columns]);
      await q.execute();
    },
  };
}
