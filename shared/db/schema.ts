import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';

/** Table types of the metadata store. migrations/ creates exactly these; a test compares the two. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T = unknown> = ColumnType<T, string, string>;
/** A stored generated tsvector (catalog search); read as its text form, never written. */
type SearchDocument = GeneratedAlways<string>;

export interface UsersTable {
  id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  password_hash: string | null;
  is_admin: Generated<boolean>;
  active: Generated<boolean>;
  source: 'local' | 'oidc';
  idp_id: string | null;
  external_subject: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  last_login_at: Timestamp | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface GroupsTable {
  id: string;
  name: string;
  description: string | null;
  source: 'local' | 'oidc';
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  source: 'local' | 'oidc';
  created_at: CreatedAt;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: Json<Record<string, unknown>>;
  private_jwk: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  /** Set when a newer key took over signing; the key stays in the JWKS until tokens it signed have expired. */
  retired_at: Timestamp | null;
}

export interface RefreshTokensTable {
  id: string;
  token_hash: string;
  family_id: string;
  user_id: string | null;
  service_account_id: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** The scope of the access tokens it renews (space-delimited); null for the principal's full rights. */
  scope: string | null;
}

export interface PersonalAccessTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  /** The first characters of the secret, shown in listings so a user can tell tokens apart. */
  display_prefix: string;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** The token's scope (space-delimited); null for its user's full rights. */
  scope: string | null;
  /** The gateway's ceiling for requests made with this token, per second; null: none of its own. */
  max_requests_per_second: number | null;
}

export interface ServiceAccountsTable {
  id: string;
  name: string;
  description: string | null;
  client_id: string;
  is_admin: Generated<boolean>;
  active: Generated<boolean>;
  created_by: string | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** The gateway's ceiling for this account's requests, per second; null: none. */
  max_requests_per_second: number | null;
}

export interface ServiceAccountSecretsTable {
  id: string;
  service_account_id: string;
  secret_hash: string;
  display_prefix: string;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface IdentityProvidersTable {
  id: string;
  name: string;
  issuer: string;
  audience: string;
  username_claim: string;
  groups_claim: string | null;
  email_claim: string | null;
  enabled: Generated<boolean>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: CreatedAt;
  request_id: string | null;
  principal_id: string | null;
  principal_name: string | null;
  principal_kind: string | null;
  function: string;
  action: string;
  resource: string;
  outcome: 'success' | 'denied' | 'failure';
  status: number;
  method: string | null;
  detail: string | null;
  client_address: string | null;
  /** Requests this row stands for: more than one for aggregated denied requests (migrations/0017). */
  occurrences: Generated<number>;
  last_at: Date | null;
  last_request_id: string | null;
  aggregate_key: string | null;
}

/** Failed credentials at the token endpoint, per hashed key (migrations/0016). */
export interface CredentialFailuresTable {
  key: string;
  scope: 'account' | 'address' | 'client' | 'global';
  failures: number;
  blocked_until: Date | null;
  expires_at: Date;
}

export interface OutboxTable {
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: Timestamp;
  data: Json;
  created_at: CreatedAt;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
}

export interface DeadLettersTable {
  id: string;
  source: string;
  type: string;
  subject: string | null;
  time: Timestamp;
  data: Json;
  attempts: number;
  last_error: string | null;
  dead_at: CreatedAt;
  /** Where delivery failed: a subscriber's URL (the Broker's dead letters), or '' for the hop to the Broker (the outbox's). */
  destination: Generated<string>;
  /** The status the destination last answered; null when none did, and for the outbox's dead letters. */
  error_code: number | null;
}

export interface ProcessedEventsTable {
  consumer: string;
  source: string;
  event_id: string;
  type: string;
  processed_at: CreatedAt;
}

/** How a warehouse's clients get down-scoped credentials from STS (credential_vending sts). */
export interface WarehouseStsSettings {
  roleArn: string;
  externalId?: string;
  endpoint?: string;
  region?: string;
  /** Lifetime of the credentials handed out; 900 to 43200 (STS's bounds), default 3600. */
  durationSeconds?: number;
}

export interface WarehousesTable {
  id: string;
  name: string;
  storage_location: string;
  storage: Json<Record<string, unknown>>;
  credentials_ref: string | null;
  credential_vending: 'none' | 'static' | 'sts';
  /** credential_vending sts: the role clients' credentials are assumed from (no secret). */
  sts: ColumnType<WarehouseStsSettings | null, string | null | undefined, string | null>;
  remote_signing: ColumnType<boolean, boolean | undefined, boolean>;
  properties: Json<Record<string, string>>;
  description: string | null;
  owner: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** Attributes of tags by tag name (only tags that have some), as Ranger's tags carry them (migrations/0020). */
  tag_attributes: ColumnType<Record<string, Record<string, string>>, string | undefined, string>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  search_document: SearchDocument;
}

export interface NamespacesTable {
  id: string;
  warehouse_id: string;
  levels: string[];
  parent: string[];
  leaf: string;
  properties: Json<Record<string, string>>;
  description: string | null;
  owner: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** Attributes of tags by tag name (only tags that have some), as Ranger's tags carry them (migrations/0020). */
  tag_attributes: ColumnType<Record<string, Record<string, string>>, string | undefined, string>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** Version of description, owner and tags alone (changes of the namespace's properties do not bump it). */
  annotation_version: Generated<number>;
  annotated_at: Timestamp | null;
  search_document: SearchDocument;
}

export interface CatalogObjectsTable {
  id: string;
  warehouse_id: string;
  namespace_id: string;
  name: string;
  /** 'hive': a table or view of the Hive metastore (functions/metastore; migrations/0025), not Iceberg's. */
  kind: 'table' | 'view' | 'hive';
  /** Iceberg: the current metadata file. Hive: the table's storage location ('' for a view). */
  metadata_location: string;
  /** Iceberg: the metadata JSON as written to the metadata file (64-bit ids intact). Hive: see migrations/0025. */
  metadata: string;
  description: string | null;
  owner: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** Attributes of tags by tag name (only tags that have some), as Ranger's tags carry them (migrations/0020). */
  tag_attributes: ColumnType<Record<string, Record<string, string>>, string | undefined, string>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  /** Version of description, owner and tags alone: commits bump `version`, not this. */
  annotation_version: Generated<number>;
  annotated_at: Timestamp | null;
  /** Name, tags, description and the column names of the current schema (migrations/0003). */
  search_document: SearchDocument;
}

/** A partition of a Hive metastore table (migrations/0025). */
export interface MetastorePartitionsTable {
  object_id: string;
  /** Hive's partition name: k1=v1/k2=v2, values escaped as Hive escapes path names. */
  name: string;
  values: string[];
  location: string | null;
  /** The metastore's Partition as JSON, without its table's names and its values. */
  partition: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** Column statistics of a Hive metastore table (partition_name null) or of one of its partitions. */
export interface MetastoreColumnStatisticsTable {
  object_id: string;
  partition_name: string | null;
  column_name: string;
  column_type: string;
  /** The metastore's ColumnStatisticsData as JSON (64-bit numbers as strings). */
  statistics: string;
  last_analyzed: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
}

/** One row per named field of a table's or view's current schema; kept by a trigger on catalog_objects. */
export interface CatalogColumnsTable {
  object_id: string;
  field_id: number;
  /** The full Iceberg name: nested fields as parent.child, list elements and map values as .element / .value. */
  path: string;
  doc: string | null;
  type: string;
  required: boolean;
  ordinal: number;
  schema_hash: string;
  search_document: SearchDocument;
}

export interface CatalogColumnAnnotationsTable {
  object_id: string;
  field_id: number;
  description: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  /** Attributes of tags by tag name (only tags that have some), as Ranger's tags carry them (migrations/0020). */
  tag_attributes: ColumnType<Record<string, Record<string, string>>, string | undefined, string>;
  /** 0 until the first change, so a client may send version 0 for a column nobody annotated yet. */
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  search_document: SearchDocument;
}

/** Every route's Idempotency-Keys (shared/http/idempotency.ts); status 0 while the first attempt is under way. */
export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  operation: string;
  principal: string;
  status: number;
  body: string | null;
  created_at: CreatedAt;
}

export interface CatalogMetricsReportsTable {
  id: string;
  object_id: string;
  report_type: string;
  snapshot_id: string;
  report: string;
  created_at: CreatedAt;
}

export interface CatalogPurgeTasksTable {
  id: string;
  warehouse_id: string;
  /** namespace.name of the dropped table, for logs. */
  object_name: string;
  locations: string[];
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: CreatedAt;
}

export interface DataPoliciesTable {
  id: string;
  /** Ranger's numeric id of the policy (its guid is `id`). */
  ranger_id: Generated<string>;
  name: string;
  type: 'access' | 'masking' | 'row-filter';
  enabled: boolean;
  document: Json<Record<string, unknown>>;
  version: Generated<number>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

export interface DataPolicyHistoryTable {
  id: Generated<string>;
  policy_id: string;
  version: number;
  change: 'create' | 'update' | 'delete';
  document: Json<Record<string, unknown>>;
  set_version: string;
  changed_at: CreatedAt;
  changed_by: string | null;
}

export interface PolicyStateTable {
  id: number;
  data_policy_version: string;
  /** Bumped whenever who holds role admin may have changed (a trigger on users). */
  role_version: Generated<string>;
  roles_updated_at: Generated<Date>;
  /** The control policy bundle in force; null: the one shipped with Lakeplane. */
  control_bundle_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Bumped by every activation or rollback. */
  control_version: Generated<string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ControlPolicyBundlesTable {
  id: string;
  version: number;
  digest: string;
  revision: Generated<string>;
  description: Generated<string>;
  archive: Buffer;
  uploaded_at: CreatedAt;
  uploaded_by: string | null;
}

export interface ControlPolicyActivationsTable {
  id: Generated<string>;
  bundle_id: string | null;
  kind: 'activate' | 'rollback';
  control_version: string;
  activated_at: CreatedAt;
  activated_by: string | null;
}

export interface PolicyDecisionLogTable {
  id: Generated<string>;
  at: CreatedAt;
  kind: 'data' | 'control';
  principal: string;
  action: string;
  resource: string;
  allowed: boolean;
  policy_id: string | null;
  policy_version: number | null;
  set_version: string;
  input: Json<Record<string, unknown>>;
  result: Json<Record<string, unknown>>;
}

export type RunState = 'QUEUED' | 'SUBMITTED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';
export type RunTrigger = 'manual' | 'schedule' | 'event' | 'webhook';

export interface JobsTable {
  id: string;
  name: string;
  owner: string;
  version: Generated<number>;
  spec: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
  trigger_token_hash: ColumnType<string | null, string | null | undefined, string | null>;
  trigger_token_created_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface JobVersionsTable {
  job_id: string;
  version: number;
  spec: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  created_by: string | null;
}

export interface JobRunsTable {
  id: string;
  job_id: string;
  job_name: string;
  job_version: number;
  owner: string;
  state: RunState;
  trigger: RunTrigger;
  trigger_ref: string | null;
  requested_by: string | null;
  overrides: Json<Record<string, unknown>>;
  idempotency_key: string | null;
  attempts: Generated<number>;
  max_attempts: number;
  backoff_seconds: number;
  next_attempt_at: Timestamp | null;
  timeout_at: Timestamp | null;
  message: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface JobRunAttemptsTable {
  run_id: string;
  attempt: number;
  name: string;
  runtime: string;
  state: RunState;
  app_state: string | null;
  last_sequence: ColumnType<string, string | number | undefined, string | number>;
  spark_application_id: string | null;
  message: string | null;
  log_location: string | null;
  ui_url: string | null;
  created_at: CreatedAt;
  submitted_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface JobRunEventsTable {
  id: Generated<string>;
  run_id: string;
  attempt: number | null;
  state: RunState;
  app_state: string | null;
  at: ColumnType<Date, Date | string | undefined, never>;
  source: string;
  message: string | null;
  event_key: string | null;
}

export interface JobScheduleSlotsTable {
  job_id: string;
  slot: Timestamp;
  outcome: 'started' | 'skipped' | 'missed';
  run_id: string | null;
  reason: string | null;
  created_at: CreatedAt;
}

export interface WebhookSubscriptionsTable {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  secret: string;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  consecutive_failures: Generated<number>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  subscription_id: string;
  event_id: string;
  event_type: string;
  event: Json<Record<string, unknown>>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_status: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  delivered_at: Timestamp | null;
}

export type LakehouseState = 'STOPPED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'FAILED' | 'DELETING';

export interface LakehousesTable {
  id: string;
  name: string;
  owner: string;
  version: Generated<number>;
  spec: Json<Record<string, unknown>>;
  state: LakehouseState;
  state_message: string | null;
  state_changed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  generation: Generated<number>;
  workload_name: string | null;
  workload_state: string | null;
  last_sequence: ColumnType<string, string | number | undefined, string | number>;
  running_spec: Json<Record<string, unknown>> | null;
  endpoints: Json<Record<string, unknown>> | null;
  ui_url: string | null;
  log_location: string | null;
  restart_pending: Generated<boolean>;
  /** SHA-256 of the token the running workload reports its activity with (a new one per start). */
  agent_token_hash: string | null;
  /** When the workload last reported its sessions and statements (its counts are trusted only while fresh). */
  agent_reported_at: Timestamp | null;
  last_activity_at: Timestamp | null;
  open_sessions: Generated<number>;
  running_statements: Generated<number>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

export interface LakehouseActivityTable {
  id: Generated<string>;
  lakehouse_id: string;
  lakehouse_name: string;
  at: ColumnType<Date, Date | string | undefined, never>;
  kind: 'state' | 'action' | 'change';
  from_state: string | null;
  to_state: string | null;
  action: string | null;
  actor: string | null;
  message: string | null;
  event_key: string | null;
}

export type SqlStatementState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'CLOSED';
export type SqlResultFormat = 'JSON_ARRAY' | 'CSV' | 'ARROW_STREAM';

export interface SqlStatementsTable {
  id: string;
  owner: string;
  owner_kind: string;
  lakehouse_id: string;
  lakehouse_name: string;
  lakehouse_generation: number | null;
  statement: string;
  parameters: Json<unknown[]>;
  catalog: string | null;
  schema_name: string | null;
  format: SqlResultFormat;
  row_limit: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  state: SqlStatementState;
  error_message: string | null;
  error_code: string | null;
  sql_state: string | null;
  /** The result's columns: [{name, type_name, type_text, position}]. */
  columns: Json<unknown[]> | null;
  total_row_count: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  total_chunk_count: number | null;
  total_byte_count: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  truncated: Generated<boolean>;
  submitted_at: ColumnType<Date, Date | string | undefined, Date | string>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** The HiveServer2 operation (JSON of its handle): any process can cancel it with this. */
  operation_handle: string | null;
  /** The process running it (it beats heartbeat_at while it does). */
  executor: string;
  heartbeat_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SqlStatementChunksTable {
  statement_id: string;
  chunk_index: number;
  row_offset: ColumnType<string, string | number, string | number>;
  row_count: number;
  byte_count: number;
  /** JSON: an array of rows, each an array of strings or nulls. */
  rows: string;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
  personal_access_tokens: PersonalAccessTokensTable;
  service_accounts: ServiceAccountsTable;
  service_account_secrets: ServiceAccountSecretsTable;
  identity_providers: IdentityProvidersTable;
  audit_log: AuditLogTable;
  credential_failures: CredentialFailuresTable;
  outbox: OutboxTable;
  dead_letters: DeadLettersTable;
  processed_events: ProcessedEventsTable;
  warehouses: WarehousesTable;
  namespaces: NamespacesTable;
  catalog_objects: CatalogObjectsTable;
  idempotency_keys: IdempotencyKeysTable;
  catalog_metrics_reports: CatalogMetricsReportsTable;
  catalog_purge_tasks: CatalogPurgeTasksTable;
  catalog_columns: CatalogColumnsTable;
  catalog_column_annotations: CatalogColumnAnnotationsTable;
  metastore_partitions: MetastorePartitionsTable;
  metastore_column_statistics: MetastoreColumnStatisticsTable;
  data_policies: DataPoliciesTable;
  data_policy_history: DataPolicyHistoryTable;
  policy_state: PolicyStateTable;
  control_policy_bundles: ControlPolicyBundlesTable;
  control_policy_activations: ControlPolicyActivationsTable;
  policy_decision_log: PolicyDecisionLogTable;
  jobs: JobsTable;
  job_versions: JobVersionsTable;
  job_runs: JobRunsTable;
  job_run_attempts: JobRunAttemptsTable;
  job_run_events: JobRunEventsTable;
  job_schedule_slots: JobScheduleSlotsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  lakehouses: LakehousesTable;
  lakehouse_activity: LakehouseActivityTable;
  sql_statements: SqlStatementsTable;
  sql_statement_chunks: SqlStatementChunksTable;
}

export type LakehouseRow = Selectable<LakehousesTable>;
export type LakehouseActivityRow = Selectable<LakehouseActivityTable>;
export type SqlStatementRow = Selectable<SqlStatementsTable>;
export type SqlStatementChunkRow = Selectable<SqlStatementChunksTable>;

export type JobRow = Selectable<JobsTable>;
export type JobRunRow = Selectable<JobRunsTable>;
export type JobRunAttemptRow = Selectable<JobRunAttemptsTable>;
export type JobRunEventRow = Selectable<JobRunEventsTable>;

export type UserRow = Selectable<UsersTable>;
export type DataPolicyRow = Selectable<DataPoliciesTable>;
export type DataPolicyHistoryRow = Selectable<DataPolicyHistoryTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type GroupRow = Selectable<GroupsTable>;
export type ServiceAccountRow = Selectable<ServiceAccountsTable>;
export type IdentityProviderRow = Selectable<IdentityProvidersTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type WarehouseRow = Selectable<WarehousesTable>;
export type NamespaceRow = Selectable<NamespacesTable>;
export type CatalogObjectRow = Selectable<CatalogObjectsTable>;
export type CatalogColumnRow = Selectable<CatalogColumnsTable>;
export type CatalogColumnAnnotationRow = Selectable<CatalogColumnAnnotationsTable>;
