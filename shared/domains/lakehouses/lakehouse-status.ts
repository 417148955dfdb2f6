import type { Static } from '@sinclair/typebox';
import type { CloudEventV1 } from 'cloudevents';
import type { EventContext } from '../../events/index.js';
import type { SparkApplicationData } from '../../runtime/index.js';
import { afterGone, moveLakehouse, workloadGone } from './lakehouse-lifecycle.js';
import { markServing, probeInBackground } from './lakehouse-readiness.js';
import { workloadOutcome } from './lakehouse-states.js';
import { LAKEHOUSE_LABELS } from './lakehouse-workload.js';
import { lakehouseLifecycleStore } from './lakehouse-lifecycle-store.js';

type App = Static<typeof SparkApplicationData>;

/**
 * A lakehouse workload's status, as the ApiServerSource (or the local runtime) reports its SparkApplication. Order-safe:
 * a report of another start (generation) than the current one, or one not newer than the last applied, changes
 * nothing. A running driver starts the endpoint probe; an ended or deleted one ends the lakehouse's start, run or stop.
 */
export async function applyWorkloadStatus(ctx: EventContext, change: 'add' | 'update' | 'delete', app: App, event: CloudEventV1<unknown>): Promise<void> {
  const labels = app.metadata.labels ?? {};
  const id = labels[LAKEHOUSE_LABELS.id];
  const generation = Number(labels[LAKEHOUSE_LABELS.generation]);
  if (!id || !Number.isInteger(generation)) return; // not a lakehouse's
  const { tx, platform } = ctx;
  const store = lakehouseLifecycleStore(tx);
  const row = await store.lock(id);
  if (!row || row.generation !== generation || row.workload_name !== app.metadata.name) return;
  const sequence = Number(app.metadata.resourceVersion ?? 0);
  if (sequence <= Number(row.last_sequence)) return;
  const appState = change === 'delete' ? 'DELETED' : (app.status?.applicationState?.state ?? '') || 'NEW';
  const uiUrl = app.status?.driverInfo?.webUIIngressAddress ?? app.status?.driverInfo?.webUIAddress;
  const current = await store.update(id, {
    last_sequence: sequence,
    workload_state: appState,
    ...(uiUrl ? { ui_url: uiUrl.startsWith('http') ? uiUrl : `http://${uiUrl}` } : {}),
  });
  const step = { source: 'runtime' as const, eventKey: event.id };

  if (change === 'delete') {
    const { then } = await workloadGone(tx, platform, current, step);
    ctx.afterCommit(() => afterGone(platform, current, then));
    return;
  }
  const outcome = workloadOutcome(appState);
  if (outcome === 'running' && current.state === 'STARTING') {
    if (platform.config.LAKEPLANE_LAKEHOUSE_READINESS === 'workload') {
      await moveLakehouse(tx, platform, current, 'RUNNING', { ...step, message: 'serving (its driver runs)', set: { last_activity_at: new Date() } });
    } else {
      ctx.afterCommit(async () => probeInBackground(platform, id, generation));
    }
    return;
  }
  if (outcome === 'ended' && (current.state === 'STARTING' || current.state === 'RUNNING')) {
    const why = app.status?.applicationState?.errorMessage;
    await moveLakehouse(tx, platform, current, 'FAILED', {
      ...step,
      message: `its Spark driver ended (${appState})${why ? `: ${why}` : ''}`,
      set: { endpoints: null },
    });
  }
}

export { markServing };
