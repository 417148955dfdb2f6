import { operation } from '../../../shared/http/index.js';
import { onLakehouse } from '../handlers/lakehouses/access.js';
import { actOnLakehouse } from '../handlers/lakehouses/act.js';
import { agentReport } from '../handlers/lakehouses/agent-report.js';
import { lakehouseConnection } from '../handlers/lakehouses/connection.js';
import { lakehouseLogs } from '../handlers/lakehouses/logs.js';
import { AgentReport, AgentReportParams, Connection, Lakehouse, LakehouseParams, LogsQuery } from '../schemas.js';

const base = '/api/v1/lakehouses';

const action = (verb: 'start' | 'stop' | 'restart', summary: string) =>
  operation({
    method: 'POST',
    path: `${base}/:id/${verb}`,
    operationId: `lakehouses.${verb}Lakehouse`,
    tags: ['lakehouses'],
    params: LakehouseParams,
    summary,
    responses: {
      202: { description: 'Accepted: the lakehouse as it is now', schema: Lakehouse },
      409: { description: 'Not possible from its state (the message says what is)' },
    },
    authorization: { checks: onLakehouse(verb) },
    mutates: 'in-steps',
    handler: actOnLakehouse(verb),
  });

export const actionRoutes = [
  action('start', 'Start a stopped or failed lakehouse: STARTING, then RUNNING once HiveServer2 and Spark Connect answer.'),
  action('stop', 'Stop a lakehouse: STOPPING, then STOPPED once its workload is gone. The definition stays.'),
  action('restart', 'Stop a lakehouse and start it again (applies changes that need a restart); a stopped one just starts.'),
  operation({
    method: 'GET',
    path: `${base}/:id/connection`,
    operationId: 'lakehouses.lakehouseConnection',
    tags: ['lakehouses'],
    params: LakehouseParams,
    summary:
      'How to connect to a running lakehouse as yourself: the JDBC URL, the Spark Connect URL, and snippets for beeline/JDBC, PyHive, dbt and PySpark Connect. Authenticate with one of your Lakeplane tokens.',
    responses: { 200: { description: 'Connection details', schema: Connection }, 409: { description: 'Not running: endpoints exist only while it runs' } },
    authorization: { checks: onLakehouse('read') },
    handler: lakehouseConnection,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id/logs`,
    operationId: 'lakehouses.lakehouseLogs',
    tags: ['lakehouses'],
    params: LakehouseParams,
    query: LogsQuery,
    summary: 'The end of the current (or last) driver log of a lakehouse, as text.',
    responses: { 200: { description: "The log's last lines (text/plain)" } },
    authorization: { checks: onLakehouse('read') },
    handler: lakehouseLogs,
  }),
  operation({
    method: 'POST',
    path: `${base}/:id/agent-report`,
    operationId: 'lakehouses.agentReport',
    tags: ['lakehouses'],
    params: AgentReportParams,
    body: AgentReport,
    audit: false,
    summary:
      "For a lakehouse's own driver: its open sessions and running statements (auto-stop waits while there are any). Authenticated with the token the driver was started with.",
    responses: { 204: { description: 'Recorded' }, 401: { description: "Not the token of the lakehouse's current start" } },
    authorization: { public: "a lakehouse's driver reports with the token it was started with, which the handler checks against the lakehouse" },
    mutates: 'in-steps',
    handler: agentReport,
  }),
];
