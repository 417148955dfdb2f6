import { Type } from '@sinclair/typebox';
import type { Config } from '../config/index.js';
import { consumer, type EventConsumer, type FunctionServices } from '../events/index.js';
import type { Worker } from './function.js';

/** The CloudEvent type of Knative's PingSource, which drives periodic work in cluster mode. */
export const PING_EVENT_TYPE = 'dev.knative.sources.ping';

type PeriodicWork = (platform: FunctionServices) => Promise<unknown>;

/**
 * Work a function does periodically. Cluster mode: on every tick of its PingSource, once the tick is recorded (so a
 * redelivered tick does nothing). Embedded mode has no PingSource: a timer every `intervalOf(config)` ms does it, one
 * run at a time, or nothing at all when `intervalOf` is left out (the work polls by itself there).
 */
export interface PeriodicTask {
  readonly what: string;
  readonly intervalOf?: (config: Config) => number;
  readonly run: PeriodicWork;
}

export function periodic(what: string, run: PeriodicWork, intervalOf?: (config: Config) => number): PeriodicTask {
  return intervalOf ? { what, run, intervalOf } : { what, run };
}

/** The one PingSource consumer of a function's periodic tasks: each runs after the tick is recorded, off its path. */
export function pingConsumer(tasks: readonly PeriodicTask[]): EventConsumer {
  return consumer({
    type: PING_EVENT_TYPE,
    schema: Type.Unknown(),
    handle: async (ctx) => {
      for (const task of tasks)
        ctx.afterCommit(() =>
          task.run(ctx.platform).then(
            () => undefined,
            (err: unknown) => ctx.log.error({ err }, `${task.what} failed`),
          ),
        );
    },
  });
}

/** The timer twin of a periodic task in embedded mode (see periodic); in cluster mode it does nothing. */
export function embeddedTicker(what: string, intervalOf: (config: Config) => number, work: PeriodicWork): Worker {
  return (platform) => {
    if (platform.config.LAKEPLANE_MODE !== 'embedded') return async () => {};
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      work(platform)
        .catch((err: unknown) => platform.logger.error({ err }, `${what} failed`))
        .finally(() => {
          running = false;
        });
    }, intervalOf(platform.config));
    timer.unref();
    return async () => clearInterval(timer);
  };
}
