import type { DataPolicyRow, Db, Executor } from '../../../shared/db/index.js';
import { toDataPolicy } from '../../../shared/policy/index.js';
import { TAG_SERVICE, toRangerPolicy, trinoSessionPolicies, type RangerService, type StoredPolicy } from './ranger-policy.js';
import { HIVE_SERVICE_ID, TAG_SERVICE_ID, TRINO_SERVICE_ID, hiveServiceDef, tagServiceDef, trinoServiceDef } from './service-defs.js';

export function storedPolicy(row: DataPolicyRow): StoredPolicy {
  return { policy: toDataPolicy(row), rangerId: Number(row.ranger_id), createdAt: row.created_at, updatedAt: row.updated_at, createdBy: row.created_by, updatedBy: row.updated_by };
}

async function policyState(db: Executor) {
  const s = await db.selectFrom('policy_state').select(['data_policy_version', 'updated_at', 'role_version', 'roles_updated_at']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { policyVersion: Number(s.data_policy_version), policyUpdateTime: s.updated_at.getTime(), roleVersion: Number(s.role_version), roleUpdateTime: s.roles_updated_at.getTime() };
}

/**
 * Ranger's ServicePolicies for a plugin: every policy the service can carry at the set's current version, read in one
 * snapshot, with the tag service's policies as tagPolicies (as Ranger's admin sends a service's associated tag
 * service); undefined when the plugin already has that version (the route answers 304).
 */
export async function downloadPolicies(db: Executor, service: RangerService, lastKnownVersion: number) {
  const read = async (tx: Executor) => {
    const state = await policyState(tx);
    if (lastKnownVersion === state.policyVersion) return undefined;
    const rows = await tx.selectFrom('data_policies').selectAll().orderBy('ranger_id').execute();
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
        ? { tagPolicies: { serviceName: TAG_SERVICE, serviceId: TAG_SERVICE_ID, policyVersion: state.policyVersion, policyUpdateTime: state.policyUpdateTime, policies: tagPolicies, serviceDef: tagServiceDef, auditMode: 'audit-default', serviceConfig: {} } }
        : {}),
    };
  };
  if (db.isTransaction) return read(db);
  return (db as Db).transaction().setIsolationLevel('repeatable read').execute(read);
}

/**
 * Ranger's RangerRoles for a plugin. Policy items may name role `admin`: its members are the platform's active
 * admins. undefined when the plugin has the current version.
 */
export async function downloadRoles(db: Executor, service: RangerService, lastKnownRoleVersion: number) {
  const state = await policyState(db);
  if (lastKnownRoleVersion === state.roleVersion) return undefined;
  const admins = await db.selectFrom('users').select('username').where('is_admin', '=', true).where('active', '=', true).orderBy('username').execute();
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
        users: admins.map((a) => ({ name: a.username, isAdmin: false })),
        groups: [],
        roles: [],
        createdByUser: 'lakeplane',
      },
    ],
  };
}
