import type { Platform } from '../../../shared/platform/index.js';
import { explainDecision, type ControlInput, type DataPolicySet, type DataResource, type RequestedAccess, type Subject } from '../../../shared/policy/index.js';
import { activeUserStore } from '../store/active-user-store.js';
import type { TrinoInput, TrinoResource } from './trino-input.js';
import { trinoMaskExpression } from './trino-masks.js';

/**
 * Trino's questions (its OPA access control) answered from Lakeplane's policies. Questions about data go to the data
 * access policies: a Trino catalog is a warehouse (by name), a schema a namespace (levels joined by "."), then table
 * and column, as in the Ranger `trino` service. Questions about running queries (execute, impersonate, session
 * properties, someone's queries) go to the control policies as action `trino:<operation>`. Decisions are logged as the
 * platform's own are: data decisions whose policy audits, and every refusal of the control policies.
 */

/** Operations about data, and the access each needs on its resource. */
const DATA_ACCESS: Record<string, RequestedAccess> = {
  AccessCatalog: 'any',
  ShowSchemas: 'any',
  ShowTables: 'any',
  ShowColumns: 'any',
  ShowCreateSchema: 'any',
  ShowCreateTable: 'any',
  FilterCatalogs: 'any',
  FilterSchemas: 'any',
  FilterTables: 'any',
  FilterColumns: 'any',
  SelectFromColumns: 'select',
  CreateViewWithSelectFromColumns: 'select',
  CreateSchema: 'create',
  CreateTable: 'create',
  CreateView: 'create',
  CreateMaterializedView: 'create',
  DropSchema: 'drop',
  DropTable: 'drop',
  DropView: 'drop',
  DropMaterializedView: 'drop',
  RenameSchema: 'drop',
  RenameTable: 'drop',
  RenameView: 'drop',
  RenameMaterializedView: 'drop',
  InsertIntoTable: 'insert',
  DeleteFromTable: 'delete',
  TruncateTable: 'delete',
  UpdateTableColumns: 'update',
  RefreshMaterializedView: 'update',
  AddColumn: 'alter',
  DropColumn: 'alter',
  RenameColumn: 'alter',
  AlterColumn: 'alter',
  SetTableProperties: 'alter',
  SetMaterializedViewProperties: 'alter',
  SetSchemaAuthorization: 'alter',
  SetTableAuthorization: 'alter',
  SetViewAuthorization: 'alter',
  SetTableComment: 'alter',
  SetViewComment: 'alter',
  SetColumnComment: 'alter',
  ExecuteTableProcedure: 'alter',
};

/** The target of a rename also needs create (Ranger checks the new name likewise). */
const TARGET_ACCESS: Record<string, RequestedAccess> = {
  RenameSchema: 'create',
  RenameTable: 'create',
  RenameView: 'create',
  RenameMaterializedView: 'create',
};

function toDataResource(r: TrinoResource | undefined): DataResource | undefined {
  if (!r) return undefined;
  if (r.column) return { warehouse: r.column.catalogName, namespace: r.column.schemaName.split('.'), table: r.column.tableName, column: r.column.columnName };
  if (r.table) return { warehouse: r.table.catalogName, namespace: r.table.schemaName.split('.'), table: r.table.tableName };
  if (r.schema) return { warehouse: r.schema.catalogName, namespace: r.schema.schemaName.split('.') };
  if (r.catalog) return { warehouse: r.catalog.name };
  return undefined;
}

function describeResource(r: DataResource): string {
  return ['trino', r.warehouse, ...(r.namespace ?? []), r.table, r.column].filter((x) => x !== undefined).join('/');
}

export class TrinoDecider {
  private constructor(
    private readonly platform: Platform,
    private readonly set: DataPolicySet,
    private readonly subject: Subject,
    private readonly principal: ControlInput['principal'],
    private readonly operation: string,
  ) {}

  /** The subject is Trino's identity; role admin if that user is an active platform admin. */
  static async for(platform: Platform, input: TrinoInput): Promise<TrinoDecider> {
    const { user, groups = [] } = input.context.identity;
    const known = await activeUserStore(platform.store.db).find(user);
    const isAdmin = known?.isAdmin ?? false;
    return new TrinoDecider(
      platform,
      await platform.dataPolicies.get(),
      { user, groups, roles: isAdmin ? ['admin'] : [] },
      { kind: 'user', id: known?.id ?? user, name: user, isAdmin, groups },
      input.action.operation,
    );
  }

  private tagsOf = async (r: DataResource) => (this.set.hasTagPolicies && r.table !== undefined ? this.platform.objectTags.tagsOf(r) : undefined);

  private async allowed(access: RequestedAccess, r: DataResource): Promise<boolean> {
    const { decision } = await explainDecision(this.set, this.subject, access, r, undefined, this.tagsOf);
    if (decision.audit) {
      this.platform.decisionLog.record({
        kind: 'data',
        principal: `user:${this.subject.user}`,
        action: `trino:${this.operation}`,
        resource: describeResource(r),
        allowed: decision.allowed,
        policyId: decision.policyId,
        policyVersion: decision.policyVersion,
        setVersion: this.set.version,
        input: { engine: 'trino', operation: this.operation, subject: this.subject, access, resource: r },
        result: { allowed: decision.allowed, policyId: decision.policyId ?? null, policyName: decision.policyName ?? null },
      });
    }
    return decision.allowed;
  }

  /** A question about running queries, to the control policies; a refusal is logged with the bundle that refused. */
  private async controlAllows(operation: string, resource: TrinoResource | undefined): Promise<boolean> {
    const user = resource?.user?.user;
    const input: ControlInput = {
      principal: this.principal,
      action: `trino:${operation}`,
      resource: user !== undefined ? `trino/users/${user}` : 'trino',
      request: user !== undefined ? { user } : {},
    };
    const d = await this.platform.controlPolicies.decide(input);
    if (!d.allowed) {
      this.platform.decisionLog.record({
        kind: 'control',
        principal: `user:${this.principal.name}`,
        action: input.action,
        resource: input.resource,
        allowed: false,
        setVersion: d.controlVersion,
        input: { engine: 'trino', ...input },
        result: { allowed: false, reasons: d.reasons, bundle: d.bundleId ?? 'shipped' },
      });
    }
    return d.allowed;
  }

  /** opa.policy.uri: may the user do this? */
  async allow(input: TrinoInput): Promise<boolean> {
    const { operation, resource, targetResource } = input.action;
    const access = DATA_ACCESS[operation];
    if (!access) return this.controlAllows(operation, resource);
    const target = toDataResource(resource);
    if (!target) return false;
    // Reading columns: select on each of them (an empty list is a table-level read, e.g. count(*)).
    if (operation === 'SelectFromColumns' || operation === 'CreateViewWithSelectFromColumns') {
      const columns = resource?.table?.columns ?? [];
      if (columns.length === 0) return this.allowed('select', target);
      for (const c of columns) if (!(await this.allowed('select', { ...target, column: c }))) return false;
      return true;
    }
    if (!(await this.allowed(access, target))) return false;
    const targetAccess = TARGET_ACCESS[operation];
    const renamed = toDataResource(targetResource);
    return !targetAccess || !renamed || this.allowed(targetAccess, renamed);
  }

  /** opa.policy.batched-uri: the indexes of the resources the user may see (FilterColumns: of the table's columns). */
  async batch(input: TrinoInput): Promise<number[]> {
    const { operation, filterResources = [] } = input.action;
    const access = DATA_ACCESS[operation];
    if (!access) {
      // Not about data (FilterViewQueryOwnedBy, FilterFunctions): each resource to the control policies.
      const out: number[] = [];
      for (const [i, r] of filterResources.entries()) if (await this.controlAllows(operation, r)) out.push(i);
      return out;
    }
    if (operation === 'FilterColumns') {
      const table = toDataResource(filterResources[0]);
      const columns = filterResources[0]?.table?.columns ?? [];
      if (!table) return [];
      const out: number[] = [];
      // Reading is all one can do with a column: one the user may not select is not shown.
      for (const [i, c] of columns.entries()) if (await this.allowed('select', { ...table, column: c })) out.push(i);
      return out;
    }
    const out: number[] = [];
    for (const [i, r] of filterResources.entries()) {
      const target = toDataResource(r);
      if (target && (await this.allowed(access, target))) out.push(i);
    }
    return out;
  }

  /** opa.policy.row-filters-uri: the row filter on a table, if any. */
  async rowFilters(input: TrinoInput): Promise<Array<{ expression: string }>> {
    const target = toDataResource(input.action.resource);
    if (!target || target.table === undefined) return [];
    const e = await explainDecision(this.set, this.subject, 'select', target, [], this.tagsOf);
    return e.rowFilter ? [{ expression: e.rowFilter.filter }] : [];
  }

  /** opa.policy.column-masking-uri: the mask of one column, if any. */
  async columnMask(resource: TrinoResource | undefined): Promise<{ expression: string } | null> {
    const column = resource?.column;
    const target = toDataResource(resource);
    if (!column || !target) return null;
    const e = await explainDecision(this.set, this.subject, 'select', target, undefined, this.tagsOf);
    const mask = e.masks[0];
    const expression = mask ? trinoMaskExpression(mask, column.columnName, column.columnType) : undefined;
    return expression ? { expression } : null;
  }

  /** opa.policy.batch-column-masking-uri: the masks of many columns, by index. */
  async batchColumnMasks(input: TrinoInput): Promise<Array<{ index: number; viewExpression: { expression: string } }>> {
    const out: Array<{ index: number; viewExpression: { expression: string } }> = [];
    for (const [index, r] of (input.action.filterResources ?? []).entries()) {
      const mask = await this.columnMask(r);
      if (mask) out.push({ index, viewExpression: mask });
    }
    return out;
  }
}
