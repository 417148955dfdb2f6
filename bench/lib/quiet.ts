import { machineBusyMs, selfCpuMs, sleep } from './proc.js';

/** CPU other processes use over `ms` while the bench itself only sleeps, in cores (its own CPU is subtracted). */
export async function backgroundCores(ms: number): Promise<number | undefined> {
  const b0 = machineBusyMs();
  const s0 = selfCpuMs();
  const t0 = performance.now();
  await sleep(ms);
  const b1 = machineBusyMs();
  if (b0 === undefined || b1 === undefined) return undefined;
  return Math.max(0, b1 - b0 - (selfCpuMs() - s0)) / (performance.now() - t0);
}

/** Below this much CPU used by other processes (cores) the machine counts as quiet. */
export const QUIET_CORES = 0.2;

/**
 * On a shared machine other processes come and go. Before each measurement this waits, in 0.5 s samples, until they
 * use less than QUIET_CORES, giving up after `maxWaitMs` (8 s unless told) or when the run's whole budget is spent.
 * Each measurement still records what other processes used while it ran, so a disturbed figure is visible in the
 * report either way.
 */
export class QuietGate {
  waitedMs = 0;
  waits = 0;
  gaveUp = 0;
  constructor(
    private budgetMs: number,
    private readonly progress: (msg: string) => void,
    private readonly maxWaitMs = 8000,
  ) {}
  async wait(): Promise<void> {
    if (this.budgetMs <= 0) return;
    const t0 = performance.now();
    let cores = await backgroundCores(500);
    while (cores !== undefined && cores >= QUIET_CORES && performance.now() - t0 < this.maxWaitMs && this.budgetMs - (performance.now() - t0) > 0) {
      cores = await backgroundCores(500);
    }
    const waited = performance.now() - t0;
    this.budgetMs -= waited;
    this.waitedMs += waited;
    this.waits++;
    if (cores !== undefined && cores >= QUIET_CORES) {
      this.gaveUp++;
      this.progress(`  other processes still use ${cores.toFixed(2)} cores; measuring anyway`);
    }
  }
  describe(): string {
    return `${this.waits} waits, ${(this.waitedMs / 1000).toFixed(1)} s spent, ${this.gaveUp} gave up and measured anyway`;
  }
}
