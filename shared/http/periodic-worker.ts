import type { Config } from '../config/index.js';
import type { FunctionServices } from '../events/index.js';
import type { Worker } from './function.js';

/**
 * A worker that does in embedded mode what a PingSource tick does in cluster mode: `work` every `intervalOf(config)`
 * ms, one run at a time (a slow run is not overlapped), failures logged. In cluster mode it does nothing.
 */
export function embeddedTicker(what: string, intervalOf: (config: Config) => number, work: (platform: FunctionServices) => Promise<unknown>): Worker {
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
