import { defineFunction } from '../../shared/http/index.js';
import { CatalogEvents } from '../../shared/domains/contracts/index.js';
import { metastoreContext } from './metastore-context.js';
import { thriftListener } from './thrift-listener.js';

/** The Hive metastore: HMS Thrift for engines that find tables through one, on the catalog's namespaces and store. */
export const metastore = defineFunction({
  name: 'metastore',
  description:
    "A Hive metastore (HMS Thrift) on the platform's catalog: databases are a warehouse's namespaces, Hive tables (Parquet, ORC, Avro, CSV, JSON) live beside its Iceberg tables, which are listed too.",
  routes: [],
  workers: [thriftListener],
  publishes: [
    CatalogEvents.tableCreated,
    CatalogEvents.tableCommitted,
    CatalogEvents.tableDropped,
    CatalogEvents.tableRenamed,
    CatalogEvents.namespaceCreated,
    CatalogEvents.namespaceUpdated,
    CatalogEvents.namespaceDropped,
  ],
  context: metastoreContext,
});
