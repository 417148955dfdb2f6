import { childEnv, cpuMs, freePort, machineBusyMs, probe, selfCpuMs, sleep, startNode } from './proc.js';
import { median, percentile } from './stats.js';

export interface ColdSubject {
  key: string;
  label: string;
  args: string[];
  env: Record<string, string | undefined>;
  /** Only informational subjects are left out of the target. */
  informational: boolean;
  /** Recorded starts at most (for slow informational subjects); it then sits out the remaining rounds. */
  maxRuns?: number;
}

export interface ColdResult {
  subject: ColdSubject;
  samplesMs: number[];
  /** CPU (user+system) the started process had used when its first 200 arrived, per start. */
  cpuMs: number[];
  /**
   * CPU other processes used while each start was timed, in cores (the bench, its poller and the subject excluded;
   * PostgreSQL's backends for the subject's connections count as other).
   */
  otherCpuCores: number[];
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

export interface ColdOptions {
  runs: number;
  pollMs: number;
  progress: (msg: string) => void;
  /** Awaited before each round: lets the bench wait (bounded) for other processes to leave the CPU. */
  settle?: () => Promise<void>;
}

interface Sample {
  ms: number;
  cpuMs: number;
  otherCpuCores: number;
}

/**
 * Process start to first 200 on GET /readyz: the clock starts just before spawn() and stops when the answer has
 * been read. Each poll is a new connection (no keep-alive); a refused connection or a non-200 is retried after
 * `pollMs`.
 */
async function once(subject: ColdSubject, pollMs: number): Promise<Sample> {
  const port = await freePort();
  const env = childEnv({ ...subject.env, PORT: String(port), HOST: '127.0.0.1' });
  const busy0 = machineBusyMs();
  const self0 = selfCpuMs();
  const t0 = performance.now();
  const child = startNode(subject.args, env);
  let dead = false;
  void child.exited.then(() => (dead = true));
  try {
    for (;;) {
      if (dead) throw new Error(`${subject.key} exited before answering /readyz:\n${child.stderr()}`);
      if ((await probe(port, '/readyz', 5000)) === 200) {
        const ms = performance.now() - t0;
        const used = cpuMs(child.pid) ?? NaN;
        const busy1 = machineBusyMs();
        const other = busy0 !== undefined && busy1 !== undefined ? Math.max(0, busy1 - busy0 - used - (selfCpuMs() - self0)) / ms : NaN;
        return { ms, cpuMs: used, otherCpuCores: other };
      }
      if (performance.now() - t0 > 60_000) throw new Error(`${subject.key} not ready after 60 s:\n${child.stderr()}`);
      await sleep(pollMs);
    }
  } finally {
    await child.stop();
  }
}

/** Subjects interleave (the order rotates each round) so drift in machine load hits them alike; one unrecorded start each first. */
export async function benchColdStart(subjects: ColdSubject[], o: ColdOptions): Promise<ColdResult[]> {
  for (const s of subjects) {
    o.progress(`cold start: warm-up start of ${s.key}`);
    await once(s, o.pollMs);
  }
  const samples = new Map<string, Sample[]>(subjects.map((s) => [s.key, []]));
  for (let i = 0; i < o.runs; i++) {
    const order = subjects.map((_, j) => subjects[(i + j) % subjects.length] as ColdSubject);
    await o.settle?.();
    const due = order.filter((s) => (samples.get(s.key)?.length ?? 0) < (s.maxRuns ?? Infinity));
    for (const s of due) samples.get(s.key)?.push(await once(s, o.pollMs));
    o.progress(`cold start: round ${i + 1}/${o.runs}: ${due.map((s) => `${s.key} ${(samples.get(s.key)?.at(-1)?.ms ?? NaN).toFixed(0)} ms`).join(', ')}`);
  }
  return subjects.map((subject) => {
    const list = samples.get(subject.key) ?? [];
    const ms = list.map((x) => x.ms);
    return {
      subject,
      samplesMs: ms,
      cpuMs: list.map((x) => x.cpuMs),
      otherCpuCores: list.map((x) => x.otherCpuCores),
      medianMs: median(ms),
      p90Ms: percentile(ms, 90),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
    };
  });
}
