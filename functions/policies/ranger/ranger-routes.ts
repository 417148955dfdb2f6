import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Config } from '../../../shared/config/index.js';
import { json, noContent, route, type RequestContext } from '../../../shared/http/index.js';
import { BadRequestError, NotFoundError } from '../../../shared/errors/index.js';
import { createDataPolicy, deleteDataPolicy, replaceDataPolicy } from '../handlers/data-policies.js';
import { fromRangerPolicy, RangerPolicyIn } from './from-ranger.js';
import { downloadPolicies, downloadRoles, storedPolicy } from './ranger-handlers.js';
import { serviceNamed, toRangerPolicy, type RangerService } from './ranger-policy.js';

/**
 * Apache Ranger's HTTP surface (../shared/ref/ranger/NOTES.md and ../shared/ref/trino/NOTES.md), so engines whose
 * Ranger plugins poll an admin server enforce our policies unchanged, and Ranger's policy clients can manage them.
 */
const ServiceParams = Type.Object({ serviceName: Type.String({ minLength: 1, maxLength: 255 }) });
const DownloadQuery = Type.Object(
  {
    lastKnownVersion: Type.Optional(Type.Integer({ default: -1 })),
    lastActivationTime: Type.Optional(Type.Integer()),
    pluginId: Type.Optional(Type.String()),
    clusterName: Type.Optional(Type.String()),
    zoneName: Type.Optional(Type.String()),
    supportsPolicyDeltas: Type.Optional(Type.String()),
    pluginCapabilities: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const RolesQuery = Type.Object(
  { lastKnownRoleVersion: Type.Optional(Type.Integer({ default: -1 })), lastActivationTime: Type.Optional(Type.Integer()), pluginId: Type.Optional(Type.String()), clusterName: Type.Optional(Type.String()), pluginCapabilities: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const RANGER_JSON = { description: 'Ranger JSON', schema: Type.Unknown() };

function service(name: string): RangerService {
  const s = serviceNamed(name);
  if (!s) throw new NotFoundError(`Ranger service "${name}" is not served: use "trino" (warehouse = catalog) or "hive-<warehouse>" (namespace = database)`);
  return s;
}

type Ctx = RequestContext<Static<typeof ServiceParams>, unknown, unknown>;

/**
 * Every policy and the admins' names are in these downloads, so they need a credential: what Ranger's plugins can
 * send is HTTP Basic (`ranger.plugin.<service>.policy.rest.client.username` and `.password`), here a service
 * account's client id and secret; a bearer token works too. LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS=true opens the plain
 * downloads (never the /secure/ twins) to callers with no credential, for an internal network only.
 */
const PLUGIN_CREDENTIALS = ['basic'] as const;
const anonymousDownloads = (c: Config) => c.LAKEPLANE_RANGER_DOWNLOAD_ANONYMOUS;

async function mayDownload(ctx: Ctx): Promise<void> {
  // No principal only where the configured opt-in let an anonymous caller through.
  if (!ctx.principal) return;
  await ctx.platform.authorizer.authorize(ctx.principal, 'policies:ranger:download', `policies/ranger/${ctx.params.serviceName}`);
}

const notModified = () => ({ status: 304 });

function downloadRoutes(secure: boolean) {
  const p = secure ? '/service/plugins/secure' : '/service/plugins';
  const r = secure ? '/service/roles/secure' : '/service/roles';
  const access = { auth: 'required' as const, credentials: PLUGIN_CREDENTIALS, ...(secure ? {} : { anonymousIf: anonymousDownloads }) };
  return [
    route({
      method: 'GET', path: `${p}/policies/download/:serviceName`, operationId: `ranger.downloadPolicies${secure ? 'Secure' : ''}`, tags: ['ranger'], ...access, params: ServiceParams, query: DownloadQuery,
      summary: 'Ranger plugin: the policies of a service (ServicePolicies), 304 when lastKnownVersion is current.',
      responses: { 200: RANGER_JSON, 304: { description: 'Not modified' } },
      handler: async (ctx) => {
        await mayDownload(ctx);
        const doc = await downloadPolicies(ctx.platform.store.db, service(ctx.params.serviceName), ctx.query.lastKnownVersion ?? -1);
        return doc ? json(200, doc) : notModified();
      },
    }),
    route({
      method: 'GET', path: `${r}/download/:serviceName`, operationId: `ranger.downloadRoles${secure ? 'Secure' : ''}`, tags: ['ranger'], ...access, params: ServiceParams, query: RolesQuery,
      summary: 'Ranger plugin: role memberships (RangerRoles), 304 when lastKnownRoleVersion is current.',
      responses: { 200: RANGER_JSON, 304: { description: 'Not modified' } },
      handler: async (ctx) => {
        await mayDownload(ctx);
        const doc = await downloadRoles(ctx.platform.store.db, service(ctx.params.serviceName), ctx.query.lastKnownRoleVersion ?? -1);
        return doc ? json(200, doc) : notModified();
      },
    }),
  ];
}

/** Plugins may also poll tags and the user store; we serve neither, and say "nothing new" rather than fail them. */
const nothingNew = (['tags', 'xusers'] as const).map((what) =>
  route({
    method: 'GET', path: `/service/${what}/download/:serviceName`, operationId: `ranger.download_${what}`, tags: ['ranger'], auth: 'required', credentials: PLUGIN_CREDENTIALS, anonymousIf: anonymousDownloads, params: ServiceParams, query: Type.Object({}, { additionalProperties: true }),
    summary: `Ranger plugin: ${what === 'tags' ? 'tags' : 'the user store'}; not served, so always 304.`,
    responses: { 304: { description: 'Not modified' } },
    handler: async (ctx) => {
      service(ctx.params.serviceName);
      return notModified();
    },
  }),
);

const V2 = '/service/public/v2/api';
// Ranger's ids are Java longs; ours are bigints read as JavaScript numbers, exact only up to 2^53 - 1, where the
// sequence will never reach. A larger id is refused naming the field, rather than handed to PostgreSQL as "1e+21".
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const GuidParams = Type.Object({ guid: Type.String({ format: 'uuid' }) });
const NamedParams = Type.Object({ servicename: Type.String({ minLength: 1 }), policyname: Type.String({ minLength: 1 }) });
const ListQuery = Type.Object({ serviceName: Type.Optional(Type.String()), policyName: Type.Optional(Type.String()), servicename: Type.Optional(Type.String()), policyname: Type.Optional(Type.String()) }, { additionalProperties: true });

/** Ranger's public API is for platform admins (adminOnly): nothing more to check on the policy itself. */
const ADMIN_CHECKED = (): void => undefined;

async function adminOnly(ctx: RequestContext<unknown, unknown, unknown>, verb: string): Promise<string> {
  const principal = ctx.requirePrincipal();
  await ctx.platform.authorizer.authorize(principal, `policies:policy:${verb}`, 'policies');
  return `${principal.kind}:${principal.name}`;
}

/**
 * A stored policy by Ranger id, guid or service + name, in the service's JSON. Without a service (by id or guid) it
 * is shown in the trino service, or, for a storage-path policy (which only hive services carry), in the hive service
 * of the first warehouse by name (every hive service carries it alike).
 */
async function find(ctx: RequestContext<unknown, unknown, unknown>, by: { rangerId?: number; guid?: string; name?: string }, named: RangerService | undefined) {
  let q = ctx.platform.store.db.selectFrom('data_policies').selectAll();
  if (by.rangerId !== undefined) q = q.where('ranger_id', '=', String(by.rangerId));
  if (by.guid !== undefined) q = q.where('id', '=', by.guid);
  if (by.name !== undefined) q = q.where('name', '=', by.name);
  const row = await q.executeTakeFirst();
  const stored = row ? storedPolicy(row) : undefined;
  let svc = named ?? service('trino');
  if (!named && stored?.policy.resources.url) {
    const first = await ctx.platform.store.db.selectFrom('warehouses').select('name').orderBy('name').executeTakeFirst();
    svc = service(`hive-${first?.name ?? 'default'}`);
  }
  const ranger = stored ? toRangerPolicy(stored, svc) : undefined;
  if (!stored || !ranger) throw new NotFoundError(`no such policy in service ${svc.name}`);
  return { stored, ranger, svc };
}

async function list(ctx: RequestContext<unknown, unknown, unknown>, svcName: string | undefined, policyName: string | undefined) {
  const svc = service(svcName ?? 'trino');
  let q = ctx.platform.store.db.selectFrom('data_policies').selectAll().orderBy('ranger_id');
  if (policyName) q = q.where('name', '=', policyName);
  return (await q.execute()).map((r) => toRangerPolicy(storedPolicy(r), svc)).filter((p) => p !== undefined);
}

const rangerOut = async (ctx: RequestContext<unknown, unknown, unknown>, id: string, svc: RangerService) => (await find(ctx, { guid: id }, svc)).ranger;

const publicApi = [
  route({
    method: 'POST', path: `${V2}/policy`, operationId: 'ranger.createPolicy', tags: ['ranger'], auth: 'required', body: RangerPolicyIn,
    summary: 'Ranger public API: create a policy from Ranger JSON (service "trino" or "hive-<warehouse>").', responses: { 200: RANGER_JSON },
    handler: async (ctx) => {
      const actor = await adminOnly(ctx, 'create');
      const svc = service(ctx.body.service);
      const created = await createDataPolicy(ctx.platform, fromRangerPolicy(ctx.body, svc), actor);
      ctx.auditResource = `policies/${created.id}`;
      return json(200, await rangerOut(ctx, created.id, svc));
    },
  }),
  route({
    method: 'GET', path: `${V2}/policy`, operationId: 'ranger.listPolicies', tags: ['ranger'], auth: 'required', query: ListQuery,
    summary: 'Ranger public API: list policies (?serviceName=&policyName=).', responses: { 200: RANGER_JSON },
    handler: async (ctx) => {
      await adminOnly(ctx, 'list');
      return json(200, await list(ctx, ctx.query.serviceName ?? ctx.query.servicename, ctx.query.policyName ?? ctx.query.policyname));
    },
  }),
  route({
    method: 'DELETE', path: `${V2}/policy`, operationId: 'ranger.deletePolicyByName', tags: ['ranger'], auth: 'required', query: ListQuery,
    summary: 'Ranger public API: delete a policy by ?servicename=&policyname=.', responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      const actor = await adminOnly(ctx, 'delete');
      const svcName = ctx.query.servicename ?? ctx.query.serviceName;
      const name = ctx.query.policyname ?? ctx.query.policyName;
      if (!svcName || !name) throw new BadRequestError('servicename and policyname are required');
      const { stored } = await find(ctx, { name }, service(svcName));
      await deleteDataPolicy(ctx.platform, stored.policy.id, undefined, actor, ADMIN_CHECKED);
      return noContent();
    },
  }),
  route({
    method: 'GET', path: `${V2}/service/:servicename/policy`, operationId: 'ranger.listServicePolicies', tags: ['ranger'], auth: 'required', params: Type.Object({ servicename: Type.String({ minLength: 1 }) }), query: ListQuery,
    summary: 'Ranger public API: the policies of a service.', responses: { 200: RANGER_JSON },
    handler: async (ctx) => {
      await adminOnly(ctx, 'list');
      return json(200, await list(ctx, ctx.params.servicename, ctx.query.policyName ?? ctx.query.policyname));
    },
  }),
  ...(['id', 'guid', 'name'] as const).flatMap((key) => {
    const path = key === 'id' ? `${V2}/policy/:id` : key === 'guid' ? `${V2}/policy/guid/:guid` : `${V2}/service/:servicename/policy/:policyname`;
    const params = key === 'id' ? IdParams : key === 'guid' ? GuidParams : NamedParams;
    const locate = (ctx: RequestContext<Record<string, unknown>, unknown, unknown>) => {
      const p = ctx.params as { id?: number; guid?: string; servicename?: string; policyname?: string };
      return find(ctx, key === 'id' ? { rangerId: p.id! } : key === 'guid' ? { guid: p.guid! } : { name: p.policyname! }, p.servicename !== undefined ? service(p.servicename) : undefined);
    };
    const suffix = key === 'id' ? 'ById' : key === 'guid' ? 'ByGuid' : 'ByName';
    return [
      route({
        method: 'GET', path, operationId: `ranger.getPolicy${suffix}`, tags: ['ranger'], auth: 'required', params, summary: `Ranger public API: read a policy by ${key}.`, responses: { 200: RANGER_JSON },
        handler: async (ctx) => {
          await adminOnly(ctx, 'read');
          return json(200, (await locate(ctx as never)).ranger);
        },
      }),
      route({
        method: 'PUT', path, operationId: `ranger.updatePolicy${suffix}`, tags: ['ranger'], auth: 'required', params, body: RangerPolicyIn, summary: `Ranger public API: replace a policy by ${key}.`, responses: { 200: RANGER_JSON },
        handler: async (ctx) => {
          const actor = await adminOnly(ctx, 'update');
          const { stored } = await locate(ctx as never);
          const svc = service(ctx.body.service);
          ctx.auditResource = `policies/${stored.policy.id}`;
          await replaceDataPolicy(ctx.platform, stored.policy.id, fromRangerPolicy(ctx.body, svc), undefined, actor, ADMIN_CHECKED);
          return json(200, await rangerOut(ctx, stored.policy.id, svc));
        },
      }),
      ...(key === 'name'
        ? []
        : [
            route({
              method: 'DELETE', path, operationId: `ranger.deletePolicy${suffix}`, tags: ['ranger'], auth: 'required', params, summary: `Ranger public API: delete a policy by ${key}.`, responses: { 204: { description: 'Deleted' } },
              handler: async (ctx) => {
                const actor = await adminOnly(ctx, 'delete');
                const { stored } = await locate(ctx as never);
                ctx.auditResource = `policies/${stored.policy.id}`;
                await deleteDataPolicy(ctx.platform, stored.policy.id, undefined, actor, ADMIN_CHECKED);
                return noContent();
              },
            }),
          ]),
    ];
  }),
];

export const rangerRoutes = [...downloadRoutes(false), ...downloadRoutes(true), ...nothingNew, ...publicApi];
