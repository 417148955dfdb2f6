import { timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../../../../shared/errors/index.js';
import type { Handler } from '../../../../shared/http/index.js';
import { agentTokenOf, hashAgentToken } from '../../../../shared/domains/lakehouses/index.js';
import type { AgentReport, AgentReportParams } from '../../schemas.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';

/**
 * A lakehouse's own driver reports its open sessions and running statements (auto-stop waits while there are any),
 * with the token it was started with, checked here. The record is one statement.
 */
export const agentReport: Handler<{ params: typeof AgentReportParams; body: typeof AgentReport }> = async (ctx) => {
  const given = agentTokenOf(ctx.headers['authorization']);
  const row = await lakehouseStore(ctx.db).agentOf(ctx.params.id);
  const expected = row?.agent_token_hash ? Buffer.from(row.agent_token_hash, 'hex') : undefined;
  const actual = given ? Buffer.from(hashAgentToken(given), 'hex') : undefined;
  if (!row || !expected || !actual || expected.length !== actual.length || !timingSafeEqual(expected, actual))
    throw new UnauthenticatedError("not the token of this lakehouse's current start");
  const reported = ctx.body.lastActivityAt ? new Date(ctx.body.lastActivityAt) : undefined;
  const now = new Date();
  const busy = ctx.body.openSessions > 0 || ctx.body.runningStatements > 0;
  const activity = busy ? now : reported && reported <= now && (!row.last_activity_at || reported > row.last_activity_at) ? reported : undefined;
  return ctx.transact.oneStatement(async (db) => {
    await lakehouseStore(db).recordReport(row.id, { openSessions: ctx.body.openSessions, runningStatements: ctx.body.runningStatements, at: now, activity });
    return { status: 204 };
  });
};
