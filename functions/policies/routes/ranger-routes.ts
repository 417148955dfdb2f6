import { Type } from '@sinclair/typebox';
import type { Config } from '../../../shared/config/index.js';
import { operation, type OperationInput } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { RangerPolicyIn } from '../ranger/from-ranger.js';
import { createRangerPolicy } from '../handlers/ranger/create.js';
import { deleteRangerPolicy, deleteRangerPolicyByName } from '../handlers/ranger/delete.js';
import { downloadPolicies } from '../handlers/ranger/download-policies.js';
import { downloadRoles } from '../handlers/ranger/download-roles.js';
import { downloadTags } from '../handlers/ranger/download-tags.js';
import { downloadUsers } from '../handlers/ranger/download-users.js';
import { listRangerPolicies, listServicePolicies } from '../handlers/ranger/list.js';
import { readRangerPolicy } from '../handlers/ranger/read.js';
import { updateRangerPolicy } from '../handlers/ranger/update.js';
import {
  PolicyDownloadQuery,
  RANGER_JSON,
  RangerGuidParams,
  RangerIdParams,
  RangerListQuery,
  RangerNamedParams,
  RangerServiceParams,
  RolesDownloadQuery,
  ServiceParams,
  TagsDownloadQuery,
} from '../schemas.js';

/**
 * Apache Ranger's HTTP surface (../shared/ref/ranger/NOTES.md and ../shared/ref/trino/NOTES.md), so engines whose
 * Ranger plugins poll an admin server enforce our policies unchanged, and Ranger's policy clients can manage them.
 */

/**
 * Every policy and the admins' names are in these downloads, so they need a credential: what Ranger's plugins can
 * send is HTTP Basic (`ranger.plugin.<service>.policy.rest.client.username` and `.password`), here a service
 * account's client id and secret; a bearer token works too. LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS=true opens the plain
 * downloads (never the /secure/ twins) to callers with no credential, for an internal network only.
 */
const PLUGIN_CREDENTIALS = ['basic'] as const;
const anonymousDownloads = (c: Config) => c.LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS;
const pluginAccess = (secure: boolean) => ({ credentials: PLUGIN_CREDENTIALS, ...(secure ? {} : { anonymousIf: anonymousDownloads }) });

/** A caller may download a service's documents; no principal only where the configured opt-in let an anonymous caller through. */
const download = ({ principal, params }: OperationInput<{ serviceName: string }, unknown, unknown>) =>
  principal ? [{ action: 'policies:ranger:download' as const, resource: platformObject('policies', 'ranger', params.serviceName) }] : [];

function downloadRoutes(secure: boolean) {
  const p = secure ? '/service/plugins/secure' : '/service/plugins';
  const r = secure ? '/service/roles/secure' : '/service/roles';
  return [
    operation({
      method: 'GET',
      path: `${p}/policies/download/:serviceName`,
      operationId: `ranger.downloadPolicies${secure ? 'Secure' : ''}`,
      tags: ['ranger'],
      ...pluginAccess(secure),
      params: ServiceParams,
      query: PolicyDownloadQuery,
      summary: 'Ranger plugin: the policies of a service (ServicePolicies), 304 when lastKnownVersion is current.',
      responses: { 200: RANGER_JSON, 304: { description: 'Not modified' } },
      authorization: { checks: download },
      handler: downloadPolicies,
    }),
    operation({
      method: 'GET',
      path: `${r}/download/:serviceName`,
      operationId: `ranger.downloadRoles${secure ? 'Secure' : ''}`,
      tags: ['ranger'],
      ...pluginAccess(secure),
      params: ServiceParams,
      query: RolesDownloadQuery,
      summary: 'Ranger plugin: role memberships (RangerRoles), 304 when lastKnownRoleVersion is current.',
      responses: { 200: RANGER_JSON, 304: { description: 'Not modified' } },
      authorization: { checks: download },
      handler: downloadRoles,
    }),
  ];
}

/**
 * The catalog's tags for a plugin's TagEnricher (ServiceTags), with the same credential as the policy downloads:
 * they name every tagged table and column. 304 when lastKnownVersion is the current digest.
 */
const tagRoutes = (secure: boolean) =>
  operation({
    method: 'GET',
    path: `/service/tags/${secure ? 'secure/' : ''}download/:serviceName`,
    operationId: `ranger.downloadTags${secure ? 'Secure' : ''}`,
    tags: ['ranger'],
    ...pluginAccess(secure),
    params: ServiceParams,
    query: TagsDownloadQuery,
    summary: "Ranger plugin: the catalog's tagged tables and columns with their tags and attributes (ServiceTags), 304 when lastKnownVersion is current.",
    responses: { 200: RANGER_JSON, 304: { description: 'Not modified' } },
    authorization: { checks: download },
    handler: downloadTags,
  });

/** Plugins may also poll the user store; we do not serve it, and say "nothing new" rather than fail them. */
const nothingNew = (['xusers'] as const).map((what) =>
  operation({
    method: 'GET',
    path: `/service/${what}/download/:serviceName`,
    operationId: `ranger.download_${what}`,
    tags: ['ranger'],
    ...pluginAccess(false),
    params: ServiceParams,
    query: Type.Object({}, { additionalProperties: true }),
    summary: 'Ranger plugin: the user store; not served, so always 304.',
    responses: { 304: { description: 'Not modified' } },
    authorization: { anyCaller: 'nothing is served: every plugin that polls the user store is told nothing changed' },
    handler: downloadUsers,
  }),
);

const V2 = '/service/public/v2/api';

/** Ranger's public API is for platform admins (adminOnly): the control policies decide policies:policy:<verb>. */
const policies = () => platformObject('policies');
const adminOnly = (verb: 'create' | 'list' | 'read' | 'update' | 'delete') => ({ action: `policies:policy:${verb}` as const, resource: policies });

const publicApi = [
  operation({
    method: 'POST',
    path: `${V2}/policy`,
    operationId: 'ranger.createPolicy',
    tags: ['ranger'],
    body: RangerPolicyIn,
    summary: 'Ranger public API: create a policy from Ranger JSON (service "trino", "hive-<warehouse>" or "tags").',
    responses: { 200: RANGER_JSON },
    authorization: adminOnly('create'),
    handler: createRangerPolicy,
  }),
  operation({
    method: 'GET',
    path: `${V2}/policy`,
    operationId: 'ranger.listPolicies',
    tags: ['ranger'],
    query: RangerListQuery,
    summary: 'Ranger public API: list policies (?serviceName=&policyName=).',
    responses: { 200: RANGER_JSON },
    authorization: adminOnly('list'),
    handler: listRangerPolicies,
  }),
  operation({
    method: 'DELETE',
    path: `${V2}/policy`,
    operationId: 'ranger.deletePolicyByName',
    tags: ['ranger'],
    query: RangerListQuery,
    summary: 'Ranger public API: delete a policy by ?servicename=&policyname=.',
    responses: { 204: { description: 'Deleted' } },
    authorization: adminOnly('delete'),
    handler: deleteRangerPolicyByName,
  }),
  operation({
    method: 'GET',
    path: `${V2}/service/:servicename/policy`,
    operationId: 'ranger.listServicePolicies',
    tags: ['ranger'],
    params: RangerServiceParams,
    query: RangerListQuery,
    summary: 'Ranger public API: the policies of a service.',
    responses: { 200: RANGER_JSON },
    authorization: adminOnly('list'),
    handler: listServicePolicies,
  }),
  ...(['id', 'guid', 'name'] as const).flatMap((key) => {
    const path = key === 'id' ? `${V2}/policy/:id` : key === 'guid' ? `${V2}/policy/guid/:guid` : `${V2}/service/:servicename/policy/:policyname`;
    const params = key === 'id' ? RangerIdParams : key === 'guid' ? RangerGuidParams : RangerNamedParams;
    const suffix = key === 'id' ? 'ById' : key === 'guid' ? 'ByGuid' : 'ByName';
    return [
      operation({
        method: 'GET',
        path,
        operationId: `ranger.getPolicy${suffix}`,
        tags: ['ranger'],
        params,
        summary: `Ranger public API: read a policy by ${key}.`,
        responses: { 200: RANGER_JSON },
        authorization: adminOnly('read'),
        handler: readRangerPolicy,
      }),
      operation({
        method: 'PUT',
        path,
        operationId: `ranger.updatePolicy${suffix}`,
        tags: ['ranger'],
        params,
        body: RangerPolicyIn,
        summary: `Ranger public API: replace a policy by ${key}.`,
        responses: { 200: RANGER_JSON },
        authorization: adminOnly('update'),
        handler: updateRangerPolicy,
      }),
      ...(key === 'name'
        ? []
        : [
            operation({
              method: 'DELETE',
              path,
              operationId: `ranger.deletePolicy${suffix}`,
              tags: ['ranger'],
              params,
              summary: `Ranger public API: delete a policy by ${key}.`,
              responses: { 204: { description: 'Deleted' } },
              authorization: adminOnly('delete'),
              handler: deleteRangerPolicy,
            }),
          ]),
    ];
  }),
];

export const rangerRoutes = [...downloadRoutes(false), ...downloadRoutes(true), tagRoutes(false), tagRoutes(true), ...nothingNew, ...publicApi];
