import { timingSafeEqual } from 'node:crypto';
import { ConflictError, NotFoundError, UnauthenticatedError } from '../../../shared/errors/index.js';
import { json, route } from '../../../shared/http/index.js';
import { defaultCatalogOf, endpointsOf, findLakehouse, hashAgentToken, specOf, startLakehouse, stopLakehouse, toLakehouse } from '../../../shared/domains/lakehouses/index.js';
import { connectionSnippets } from '../domain/connection-snippets.js';
import { actorOf, authorizeLakehouse, lakehouseOf } from '../handlers/lakehouse-access.js';
import { AgentReport, Connection, Lakehouse, LakehouseParams, LogsQuery } from '../schemas.js';
import { Type } from '@sinclair/typebox';

const base = '/api/v1/lakehouses';

const action = (verb: 'start' | 'stop' | 'restart', summary: string) =>
  route({
    method: 'POST', path: `${base}/:id/${verb}`, operationId: `lakehouses.${verb}Lakehouse`, tags: ['lakehouses'], auth: 'required', params: LakehouseParams,
    summary, responses: { 202: { description: 'Accepted: the lakehouse as it is now', schema: Lakehouse }, 409: { description: 'Not possible from its state (the message says what is)' } },
    handler: async (ctx) => {
      const current = await findLakehouse(ctx.platform.store.db, ctx.params.id);
      ctx.auditResource = `lakehouses/${current.id}`;
      await authorizeLakehouse(ctx, verb, ctx.auditResource, lakehouseOf(current));
      const by = { actor: actorOf(ctx), source: 'api' as const };
      const row = verb === 'start' ? await startLakehouse(ctx.platform, current.id, by) : await stopLakehouse(ctx.platform, current.id, { ...by, restart: verb === 'restart' });
      return json(202, toLakehouse(row));
    },
  });

export const actionRoutes = [
  action('start', 'Start a stopped or failed lakehouse: STARTING, then RUNNING once HiveServer2 and Spark Connect answer.'),
  action('stop', 'Stop a lakehouse: STOPPING, then STOPPED once its workload is gone. The definition stays.'),
  action('restart', 'Stop a lakehouse and start it again (applies changes that need a restart); a stopped one just starts.'),
  route({
    method: 'GET', path: `${base}/:id/connection`, operationId: 'lakehouses.lakehouseConnection', tags: ['lakehouses'], auth: 'required', params: LakehouseParams,
    summary: 'How to connect to a running lakehouse as yourself: the JDBC URL, the Spark Connect URL, and snippets for beeline/JDBC, PyHive, dbt and PySpark Connect. Authenticate with one of your Lakeplane tokens.',
    responses: { 200: { description: 'Connection details', schema: Connection }, 409: { description: 'Not running: endpoints exist only while it runs' } },
    handler: async (ctx) => {
      const row = await findLakehouse(ctx.platform.store.db, ctx.params.id);
      await authorizeLakehouse(ctx, 'read', `lakehouses/${row.id}`, lakehouseOf(row));
      const endpoints = endpointsOf(row);
      if (row.state !== 'RUNNING' || !endpoints) throw new ConflictError(`lakehouse ${row.name} is ${row.state}: its endpoints exist while it runs (POST ${base}/${row.id}/start)`);
      const catalogs = (await ctx.platform.store.db.selectFrom('warehouses').select('name').orderBy('name').execute()).map((w) => w.name);
      const defaultCatalog = defaultCatalogOf(specOf(row), catalogs) ?? null;
      const user = ctx.requirePrincipal().name;
      const c = connectionSnippets({ lakehouse: row.name, user, hiveServer2: endpoints.hiveServer2, sparkConnect: endpoints.sparkConnect, defaultCatalog: defaultCatalog ?? undefined, schema: 'default' });
      return json(200, { lakehouse: row.name, state: row.state, user, hiveServer2: endpoints.hiveServer2, sparkConnect: endpoints.sparkConnect, defaultCatalog, catalogs, ...c });
    },
  }),
  route({
    method: 'GET', path: `${base}/:id/logs`, operationId: 'lakehouses.lakehouseLogs', tags: ['lakehouses'], auth: 'required', params: LakehouseParams, query: LogsQuery,
    summary: 'The end of the current (or last) driver log of a lakehouse, as text.', responses: { 200: { description: 'The log\'s last lines (text/plain)' } },
    handler: async (ctx) => {
      const row = await findLakehouse(ctx.platform.store.db, ctx.params.id);
      await authorizeLakehouse(ctx, 'read', `lakehouses/${row.id}`, lakehouseOf(row));
      if (!row.workload_name) throw new NotFoundError(`lakehouse ${row.name} has not been started: it has no driver log`);
      const text = await ctx.platform.runtime.logs(row.workload_name, { tailLines: ctx.query.tail ?? 200 });
      if (text === undefined) throw new NotFoundError(`no driver log of lakehouse ${row.name} (${row.workload_name}) is there any more`);
      return { status: 200, body: text.endsWith('\n') || text === '' ? text : `${text}\n`, contentType: 'text/plain; charset=utf-8' };
    },
  }),
  route({
    method: 'POST', path: `${base}/:id/agent-report`, operationId: 'lakehouses.agentReport', tags: ['lakehouses'], auth: 'public', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), body: AgentReport, audit: false,
    summary: 'For a lakehouse\'s own driver: its open sessions and running statements (auto-stop waits while there are any). Authenticated with the token the driver was started with.',
    responses: { 204: { description: 'Recorded' }, 401: { description: 'Not the token of the lakehouse\'s current start' } },
    handler: async (ctx) => {
      const given = /^Bearer (lplh_[A-Za-z0-9_-]{20,})$/.exec(String(ctx.headers['authorization'] ?? ''))?.[1];
      const row = await ctx.platform.store.db.selectFrom('lakehouses').select(['id', 'agent_token_hash', 'last_activity_at']).where('id', '=', ctx.params.id).executeTakeFirst();
      const expected = row?.agent_token_hash ? Buffer.from(row.agent_token_hash, 'hex') : undefined;
      const actual = given ? Buffer.from(hashAgentToken(given), 'hex') : undefined;
      if (!row || !expected || !actual || expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw new UnauthenticatedError('not the token of this lakehouse\'s current start');
      const reported = ctx.body.lastActivityAt ? new Date(ctx.body.lastActivityAt) : undefined;
      const now = new Date();
      const busy = ctx.body.openSessions > 0 || ctx.body.runningStatements > 0;
      const activity = busy ? now : reported && reported <= now && (!row.last_activity_at || reported > row.last_activity_at) ? reported : undefined;
      await ctx.platform.store.db
        .updateTable('lakehouses')
        .set({ open_sessions: ctx.body.openSessions, running_statements: ctx.body.runningStatements, agent_reported_at: now, ...(activity ? { last_activity_at: activity } : {}) })
        .where('id', '=', row.id)
        .execute();
      return { status: 204 };
    },
  }),
];
