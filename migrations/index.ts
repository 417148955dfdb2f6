import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_catalog.js';
import * as m0003 from './0003_catalog_discovery.js';
import * as m0004 from './0004_catalog_purge_tasks.js';
import * as m0005 from './0005_data_policies.js';
import * as m0006 from './0006_ranger_compatibility.js';
import * as m0007 from './0007_control_policy_bundles.js';
import * as m0008 from './0008_policy_decision_log.js';
import * as m0009 from './0009_jobs.js';
import * as m0010 from './0010_job_schedules.js';
import * as m0011 from './0011_job_trigger_tokens.js';
import * as m0012 from './0012_webhooks.js';
import * as m0014 from './0014_lakehouses.js';
import * as m0015 from './0015_sql_statements.js';
import * as m0016 from './0016_credential_throttle.js';
import * as m0017 from './0017_denied_request_audit.js';
import * as m0018 from './0018_token_scopes.js';
import * as m0019 from './0019_warehouse_storage_access.js';
import * as m0020 from './0020_catalog_tag_attributes.js';
import * as m0021 from './0021_catalog_commit_costs.js';
import * as m0022 from './0022_idempotency_keys.js';
import * as m0023 from './0023_broker_dead_letters.js';
import * as m0024 from './0024_request_rate_limits.js';
import * as m0025 from './0025_metastore.js';

/**
 * Ordered, forward-only. Listed statically (not read from the folder) so a bundled build carries them; the names sort
 * in the order they apply. Append, never edit or remove.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_catalog': m0002,
  '0003_catalog_discovery': m0003,
  '0004_catalog_purge_tasks': m0004,
  '0005_data_policies': m0005,
  '0006_ranger_compatibility': m0006,
  '0007_control_policy_bundles': m0007,
  '0008_policy_decision_log': m0008,
  '0009_jobs': m0009,
  '0010_job_schedules': m0010,
  '0011_job_trigger_tokens': m0011,
  '0012_webhooks': m0012,
  '0014_lakehouses': m0014,
  '0015_sql_statements': m0015,
  '0016_credential_throttle': m0016,
  '0017_denied_request_audit': m0017,
  '0018_token_scopes': m0018,
  '0019_warehouse_storage_access': m0019,
  '0020_catalog_tag_attributes': m0020,
  '0021_catalog_commit_costs': m0021,
  '0022_idempotency_keys': m0022,
  '0023_broker_dead_letters': m0023,
  '0024_request_rate_limits': m0024,
  '0025_metastore': m0025,
};
