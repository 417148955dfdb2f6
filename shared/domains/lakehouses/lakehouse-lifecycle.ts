import type { FunctionServices } from '../../events/index.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Updateable } from 'kysely';
import type { LakehouseRow, LakehousesTable, LakehouseState, Tx } from '../../db/index.js';
import { NotFoundError } from '../../errors/index.js';
import type { SparkApplication } from '../../runtime/index.js';
import { LakehouseEvents } from '../contracts/index.js';
import { checkAction, WORKLOAD_STATES } from './lakehouse-states.js';
import { restartRequired, specOf } from './lakehouse-views.js';
import { driverSelector, lakehouseApplication } from './lakehouse-workload.js';
import { lakehouseLifecycleStore } from './lakehouse-lifecycle-store.js';

/** Who moved a lakehouse: a request, a workload report, the endpoint probe, or the supervisor's rules. */
export type LakehouseChangeSource = 'api' | 'runtime' | 'probe' | 'auto-stop' | 'auto-start' | 'supervisor' | 'platform';

export interface Step {
  source: LakehouseChangeSource;
  actor?: string | null;
  message?: string | null;
  /** Unique per lakehouse: a second delivery of the same report adds no activity row. */
  eventKey?: string;
  set?: Updateable<LakehousesTable>;
}

export async function requireLakehouse(tx: Tx | FunctionServices['store']['db'], id: string, lock = false): Promise<LakehouseRow> {
  const store = lakehouseLifecycleStore(tx);
  const row = await (lock ? store.lock(id) : store.find(id));
  if (!row) throw new NotFoundError(`lakehouse ${id} does not exist`);
  return row;
}

export async function recordActivity(
  tx: Tx,
  row: Pick<LakehouseRow, 'id' | 'name'>,
  entry: {
    kind: 'state' | 'action' | 'change';
    from?: string | null;
    to?: string | null;
    action?: string | null;
    actor?: string | null;
    message?: string | null;
    eventKey?: string | undefined;
  },
): Promise<void> {
  await lakehouseLifecycleStore(tx).addActivity({
    lakehouse_id: row.id,
    lakehouse_name: row.name,
    kind: entry.kind,
    from_state: entry.from ?? null,
    to_state: entry.to ?? null,
    action: entry.action ?? null,
    actor: entry.actor ?? null,
    message: entry.message ?? null,
    event_key: entry.eventKey ?? null,
  });
}

/** Moves a lakehouse to a state in the caller's transaction: the row, an activity entry and a state-changed event. */
export async function moveLakehouse(tx: Tx, platform: FunctionServices, row: LakehouseRow, to: LakehouseState, step: Step): Promise<LakehouseRow> {
  const updated = await lakehouseLifecycleStore(tx).update(row.id, {
    ...step.set,
    state: to,
    state_message: step.message ?? null,
    state_changed_at: new Date(),
  });
  await recordActivity(tx, row, { kind: 'state', from: row.state, to, actor: step.actor ?? null, message: step.message ?? null, eventKey: step.eventKey });
  await platform.outbox.publish(tx, {
    type: LakehouseEvents.stateChanged,
    subject: `lakehouses/${row.id}`,
    data: {
      lakehouseId: row.id,
      name: row.name,
      state: to,
      previousState: row.state,
      generation: updated.generation,
      source: step.source,
      actor: step.actor ?? null,
      message: step.message ?? null,
    },
  });
  return updated;
}

export async function announceChange(
  tx: Tx,
  platform: FunctionServices,
  row: LakehouseRow,
  change: 'create' | 'update' | 'delete',
  actor: string | null,
): Promise<void> {
  await platform.outbox.publish(tx, {
    type: LakehouseEvents.changed,
    subject: `lakehouses/${row.id}`,
    data: { lakehouseId: row.id, name: row.name, version: row.version, change, restartRequired: restartRequired(row), actor },
  });
}

export const hashAgentToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The workload token a lakehouse's driver reports with, out of an Authorization header (the form alone: whether it is
 * this lakehouse's current token is the hash's business). The gateway refuses agent reports without one at the edge.
 */
export const agentTokenOf = (authorization: string | undefined): string | undefined => /^Bearer (lplh_[A-Za-z0-9_-]{20,})$/.exec(authorization ?? '')?.[1];

/**
 * The driver's classpath: the configured one; else, for the local runtime, Iceberg's Spark runtime, the Lakeplane
 * Spark engine and Spark Connect's server from the Lakeplane cache (scripts/install-interop.sh and
 * scripts/build-spark-engine.sh put them there), all three or none; in a cluster, the image's /opt/lakeplane/jars.
 */
export function lakehouseClasspath(platform: FunctionServices): string[] {
  const configured = platform.config.LAKEPLANE_LAKEHOUSE_JARS;
  if (configured) return configured.split(':').filter(Boolean);
  if (platform.runtime.name === 'kubernetes') return ['/opt/lakeplane/jars/*'];
  const dir = path.join(process.env['LAKEPLANE_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'lakeplane'), 'jars');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).sort();
  const newest = (re: RegExp) => files.filter((f) => re.test(f)).at(-1);
  const found = [
    newest(/^iceberg-spark-runtime-3\.5_2\.12-[0-9.]+\.jar$/),
    newest(/^lakeplane-spark-engine\.jar$/),
    newest(/^spark-connect_2\.12-3\.5\.[0-9]+\.jar$/),
  ];
  return found.every((f) => f !== undefined) ? found.map((f) => path.join(dir, f!)) : [];
}

function platformUrlFor(platform: FunctionServices): string {
  const url = platform.config.LAKEPLANE_LAKEHOUSE_PLATFORM_URL ?? platform.serving.url;
  if (!url) throw new Error('no address for lakehouses to reach Lakeplane: set LAKEPLANE_LAKEHOUSE_PLATFORM_URL');
  return url;
}

/**
 * Starts a lakehouse: a new generation, STARTING with where its endpoints will be, then its workload submitted (and,
 * on Kubernetes, the Service in front of it). A workload that cannot be submitted leaves it FAILED saying why. It is
 * RUNNING once its endpoints answer (see probe) or, with readiness "workload", once its driver runs.
 */
export async function startLakehouse(
  platform: FunctionServices,
  id: string,
  by: { actor: string | null; source: LakehouseChangeSource },
): Promise<LakehouseRow> {
  const db = platform.store.db;
  const before = await requireLakehouse(db, id);
  checkAction(before.name, before.state, 'start');
  const plan = await platform.endpoints.plan(before.name);
  const agentToken = `lplh_${randomBytes(24).toString('base64url')}`;
  const classpath = lakehouseClasspath(platform);
  const local = platform.runtime.name === 'local';
  const { row, app } = await db.transaction().execute(async (tx) => {
    const current = await requireLakehouse(tx, id, true);
    checkAction(current.name, current.state, 'start');
    const warehouses = await lakehouseLifecycleStore(tx).warehouses();
    const generation = current.generation + 1;
    const spec = specOf(current);
    const application = lakehouseApplication(spec, {
      id,
      generation,
      namespace: platform.config.LAKEPLANE_JOBS_NAMESPACE,
      serviceAccount: platform.config.LAKEPLANE_JOBS_SERVICE_ACCOUNT,
      image: platform.config.LAKEPLANE_LAKEHOUSE_IMAGE ?? platform.config.LAKEPLANE_SPARK_IMAGE,
      platformUrl: platformUrlFor(platform),
      warehouses,
      classpath,
      mainApplicationFile: local ? 'spark-internal' : `local:///opt/spark/jars/spark-hive-thriftserver_2.12-${spec.sparkVersion}.jar`,
      plan,
      agentToken,
      activity: {
        reportEveryMs: platform.config.LAKEPLANE_LAKEHOUSE_ACTIVITY_REPORT_SECONDS * 1000,
        sessionTimeoutMs: platform.config.LAKEPLANE_LAKEHOUSE_SESSION_TIMEOUT_SECONDS * 1000,
      },
    });
    const message = local && classpath.length === 0 ? 'no lakehouse jars found' : `start ${generation}: ${application.metadata.name}`;
    const moved = await moveLakehouse(tx, platform, current, 'STARTING', {
      source: by.source,
      actor: by.actor,
      message,
      set: {
        generation,
        workload_name: application.metadata.name,
        workload_state: null,
        last_sequence: 0,
        running_spec: JSON.stringify(current.spec),
        endpoints: JSON.stringify(plan.endpoints),
        ui_url: null,
        log_location: null,
        agent_token_hash: hashAgentToken(agentToken),
        agent_reported_at: null,
        open_sessions: 0,
        running_statements: 0,
        restart_pending: false,
        last_activity_at: new Date(),
      },
    });
    return { row: moved, app: application };
  });
  if (local && classpath.length === 0) {
    await failStart(
      platform,
      row,
      "no lakehouse jars on this machine: run scripts/install-interop.sh and scripts/build-spark-engine.sh (Iceberg's Spark runtime, the Lakeplane Spark engine, Spark Connect's server), or set LAKEPLANE_LAKEHOUSE_JARS",
    );
    return requireLakehouse(db, id);
  }
  await submitWorkload(platform, row, app, plan);
  return requireLakehouse(db, id);
}

async function submitWorkload(
  platform: FunctionServices,
  row: LakehouseRow,
  app: SparkApplication,
  plan: Awaited<ReturnType<FunctionServices['endpoints']['plan']>>,
): Promise<void> {
  try {
    await platform.endpoints.expose(row.name, driverSelector(row.id), plan);
    const result = await platform.runtime.submit(app);
    if (result.rejected) await failStart(platform, row, result.rejected);
    else if (result.logLocation) await lakehouseLifecycleStore(platform.store.db).setLogLocation(row.id, row.generation, result.logLocation);
  } catch (err) {
    platform.logger.error({ err, lakehouse: row.name }, 'submitting a lakehouse workload failed');
    await failStart(platform, row, `its workload could not be submitted: ${(err as Error).message}`);
  }
}

/** A start that cannot go on: FAILED, if nothing moved the lakehouse meanwhile. */
async function failStart(platform: FunctionServices, row: LakehouseRow, message: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const current = await requireLakehouse(tx, row.id, true);
    if (current.generation !== row.generation || current.state !== 'STARTING') return;
    await moveLakehouse(tx, platform, current, 'FAILED', { source: 'runtime', message });
  });
}

/**
 * Stops a lakehouse (restart: and starts it again once stopped): STOPPING, then its workload deleted; it is STOPPED
 * when the runtime reports the workload gone. A failed lakehouse whose workload never existed is STOPPED at once.
 */
export async function stopLakehouse(
  platform: FunctionServices,
  id: string,
  by: { actor: string | null; source: LakehouseChangeSource; restart?: boolean; onlyIf?: (current: LakehouseRow) => boolean },
): Promise<LakehouseRow> {
  const db = platform.store.db;
  const action = by.restart ? 'restart' : 'stop';
  let unchanged = false;
  const row = await db.transaction().execute(async (tx) => {
    const current = await requireLakehouse(tx, id, true);
    if (by.onlyIf && !by.onlyIf(current)) {
      unchanged = true;
      return current;
    }
    checkAction(current.name, current.state, action);
    if (current.state === 'STOPPED') return current; // a restart of a stopped lakehouse is a start
    if (!current.workload_name)
      return moveLakehouse(tx, platform, current, 'STOPPED', {
        source: by.source,
        actor: by.actor,
        message: 'stopped (no workload was running)',
        set: { endpoints: null },
      });
    const why =
      by.source === 'auto-stop' ? `idle for ${specOf(current).autoStopMinutes} minutes: stopping` : by.restart ? 'restarting: stopping first' : 'stopping';
    return moveLakehouse(tx, platform, current, 'STOPPING', {
      source: by.source,
      actor: by.actor,
      message: why,
      set: { restart_pending: by.restart === true },
    });
  });
  if (unchanged) return row;
  if (row.state === 'STOPPED') return by.restart ? startLakehouse(platform, id, { actor: by.actor, source: by.source }) : row;
  await cancelWorkload(platform, row);
  return requireLakehouse(db, id);
}

/** Asks the runtime to delete the workload; its report of the deletion moves the lakehouse on. Failures are retried by the supervisor. */
export async function cancelWorkload(platform: FunctionServices, row: LakehouseRow): Promise<void> {
  if (!row.workload_name) return;
  try {
    await platform.runtime.cancel(row.workload_name);
  } catch (err) {
    platform.logger.error({ err, lakehouse: row.name }, 'stopping a lakehouse workload failed; the supervisor tries again');
  }
}

/** The workload is gone: STOPPING ends STOPPED (and starts again for a restart), DELETING removes the lakehouse. */
export async function workloadGone(tx: Tx, platform: FunctionServices, row: LakehouseRow, step: Step): Promise<{ then?: 'start' | 'unexpose' }> {
  if (row.state === 'DELETING') {
    await finishDelete(tx, platform, row, step.actor ?? null);
    return { then: 'unexpose' };
  }
  if (row.state === 'STOPPING') {
    const restart = row.restart_pending;
    await moveLakehouse(tx, platform, row, 'STOPPED', {
      ...step,
      message: step.message ?? 'stopped',
      set: { endpoints: null, restart_pending: false, open_sessions: 0, running_statements: 0 },
    });
    return restart ? { then: 'start' } : { then: 'unexpose' };
  }
  if (row.state === 'STARTING' || row.state === 'RUNNING') {
    await moveLakehouse(tx, platform, row, 'FAILED', {
      ...step,
      message: step.message ?? 'its workload was deleted while it ran',
      set: { endpoints: null, workload_name: null },
    });
    return { then: 'unexpose' };
  }
  if (row.state === 'FAILED') {
    // A failed start's workload, now removed: nothing is left to stop.
    await lakehouseLifecycleStore(tx).forgetWorkload(row.id);
    return { then: 'unexpose' };
  }
  return {};
}

export async function finishDelete(tx: Tx, platform: FunctionServices, row: LakehouseRow, actor: string | null): Promise<void> {
  await lakehouseLifecycleStore(tx).delete(row.id);
  await recordActivity(tx, row, { kind: 'action', action: 'delete', from: row.state, actor, message: 'deleted' });
  await announceChange(tx, platform, { ...row, version: row.version + 1 }, 'delete', actor);
}

/** What follows a workloadGone() after its transaction commits. */
export async function afterGone(platform: FunctionServices, row: Pick<LakehouseRow, 'id' | 'name'>, then: 'start' | 'unexpose' | undefined): Promise<void> {
  if (then === 'start') {
    await startLakehouse(platform, row.id, { actor: null, source: 'platform' }).catch((err: unknown) =>
      platform.logger.error({ err, lakehouse: row.name }, 'restarting a lakehouse failed'),
    );
  } else if (then === 'unexpose') {
    await platform.endpoints
      .unexpose(row.name)
      .catch((err: unknown) => platform.logger.error({ err, lakehouse: row.name }, 'removing a lakehouse Service failed'));
  }
}

export function hasWorkload(state: LakehouseState): boolean {
  return WORKLOAD_STATES.includes(state);
}
