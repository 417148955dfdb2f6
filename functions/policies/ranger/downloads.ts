import { createHash } from 'node:crypto';
import type { DataPolicyRow } from '../../../shared/db/index.js';
import { toDataPolicy } from '../../../shared/policy/index.js';
import type { PolicyState, TaggedResource } from '../store/ranger-store.js';
import { TAG_SERVICE, toRangerPolicy, trinoSessionPolicies, type RangerService, type StoredPolicy } from './ranger-policy.js';
import { HIVE_SERVICE_ID, TAG_SERVICE_ID, TRINO_SERVICE_ID, hiveServiceDef, tagServiceDef, trinoServiceDef } from './service-defs.js';

export function storedPolicy(row: DataPolicyRow): StoredPolicy {
  return {
    policy: toDataPolicy(row),
    rangerId: Number(row.ranger_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

/**
 * Ranger's ServicePolicies for a plugin: every policy the service can carry at the set's version (read in one
 * snapshot), with the tag service's policies as tagPolicies (as Ranger's admin sends a service's associated tag
 * service).
 */
export function servicePolicies(service: RangerService, state: PolicyState, rows: readonly DataPolicyRow[]) {
  const stored = rows.map(storedPolicy);
  const policies: unknown[] = stored.map((p) => toRangerPolicy(p, service)).filter((p) => p !== undefined);
  const tagService: RangerService = { kind: 'tag', name: TAG_SERVICE };
  const tagPolicies = stored.map((p) => toRangerPolicy(p, tagService)).filter((p) => p !== undefined);
  if (service.kind === 'trino') policies.push(...trinoSessionPolicies(state.policyVersion));
  return {
    serviceName: service.name,
    serviceId: service.kind === 'trino' ? TRINO_SERVICE_ID : HIVE_SERVICE_ID,
    policyVersion: state.policyVersion,
    policyUpdateTime: state.policyUpdateTime,
    policies,
    serviceDef: service.kind === 'trino' ? trinoServiceDef : hiveServiceDef,
    auditMode: 'audit-default',
    serviceConfig: {},
    // Sent when there are tag policies: a plugin then builds its tag policy engine and asks for the tags.
    ...(tagPolicies.length > 0
      ? {
          tagPolicies: {
            serviceName: TAG_SERVICE,
            serviceId: TAG_SERVICE_ID,
            policyVersion: state.policyVersion,
            policyUpdateTime: state.policyUpdateTime,
            policies: tagPolicies,
            serviceDef: tagServiceDef,
            auditMode: 'audit-default',
            serviceConfig: {},
          },
        }
      : {}),
  };
}

/**
 * Ranger's RangerRoles for a plugin. Policy items may name role `admin`: its members are the platform's active
 * admins.
 */
export function rangerRoles(service: RangerService, state: PolicyState, admins: readonly string[]) {
  return {
    serviceName: service.name,
    roleVersion: state.roleVersion,
    roleUpdateTime: state.roleUpdateTime,
    rangerRoles: [
      {
        id: 1,
        isEnabled: true,
        name: 'admin',
        description: 'Lakeplane platform admins',
        options: {},
        users: admins.map((name) => ({ name, isAdmin: false })),
        groups: [],
        roles: [],
        createdByUser: 'lakeplane',
      },
    ],
  };
}

/**
 * Ranger's ServiceTags for a plugin's TagEnricher: the catalog's tagged tables, views and columns as the service's
 * resources (trino: catalog, schema, table, column; hive-<warehouse>: database, table, column), each tag a RangerTag
 * with its attributes (an EXPIRES_ON tag's expiry_date), so a plugin decides the tag policies it downloads on the same
 * tags Lakeplane reads. A column's request also carries its table's tags, as Ranger's ancestor tag match gives them.
 * The version is a digest of the document, not a counter: plugins only compare it for equality (304 when equal), and
 * a digest changes with every tag, attribute, rename or drop without a version kept anywhere. undefined: unchanged.
 */
export function serviceTags(service: RangerService, rows: readonly TaggedResource[], lastKnownVersion: number) {
  if (service.kind === 'tag') return undefined;
  const one = (v: string) => ({ values: [v], isExcludes: false, isRecursive: false });
  const tags: Record<string, { id: number; type: string; attributes: Record<string, string>; isEnabled: boolean }> = {};
  const serviceResources: Array<{ id: number; serviceName: string; resourceElements: Record<string, ReturnType<typeof one>>; isEnabled: boolean }> = [];
  const resourceToTagIds: Record<string, number[]> = {};
  let nextTag = 1;
  rows.forEach((r, k) => {
    const schema = r.levels.join('.');
    const elements: Record<string, ReturnType<typeof one>> = service.kind === 'trino'
      ? { catalog: one(r.warehouse), schema: one(schema), table: one(r.name) }
      : { database: one(schema), table: one(r.name) };
    const id = k + 1;
    serviceResources.push({
      id,
      serviceName: service.name,
      resourceElements: r.column !== undefined ? { ...elements, column: one(r.column) } : elements,
      isEnabled: true,
    });
    resourceToTagIds[String(id)] = r.tags.map((type) => {
      const tagId = nextTag++;
      tags[String(tagId)] = { id: tagId, type, attributes: r.tag_attributes[type] ?? {}, isEnabled: true };
      return tagId;
    });
  });
  const content = { serviceName: service.name, tagDefinitions: {}, tags, serviceResources, resourceToTagIds };
  const tagVersion = parseInt(createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12), 16);
  if (tagVersion === lastKnownVersion) return undefined;
  return { op: 'add_or_update', ...content, tagVersion, tagUpdateTime: Date.now(), isDelta: false, tagsChangeExtent: 'ALL', isTagsDeduped: false };
}
