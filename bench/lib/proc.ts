import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';

/** Variables the app reads (shared/config/config.ts) or Node reads: the bench sets them per child, never inherits them. */
const CONTROLLED = /^(LAKEPLANE_|FUNCTION_TARGET$|DATABASE_URL$|DATABASE_POOL_MAX$|PORT$|HOST$|K_SINK$|NODE_OPTIONS$)/;

export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!CONTROLLED.test(k)) env[k] = v;
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One GET on a fresh connection (no keep-alive agent): the status, or 0 when nothing listens yet. */
export function probe(port: number, path: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** What the child wrote to stderr so far (kept for error messages). */
  stderr(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Every child started here and not yet exited, so an interrupted bench can stop them (killChildren). */
const live = new Set<ChildProcess>();

function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
}

/** Sends SIGKILL to every child this process started that is still running. */
export function killChildren(): void {
  for (const proc of live) proc.kill('SIGKILL');
}

/**
 * Starts `node <args>` with a controlled environment. stdout (the JSON log stream) goes to `logFile` or nowhere:
 * a file, like a container runtime's log file, so the logging cost is paid but no reader shares the CPU.
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv, logFile?: string): Child {
  return startProcess(process.execPath, args, env, logFile);
}

/** Starts any program the way startNode starts node (stdout to `logFile` or nowhere, stderr kept, stopped by killChildren). */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, logFile?: string, cwd?: string): Child {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const proc = spawn(command, args, { env, cwd, stdio: ['ignore', out, 'pipe'] });
  track(proc);
  if (typeof out === 'number') closeSync(out);
  let err = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => {
    if (err.length < 20_000) err += d;
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    pid: proc.pid ?? -1,
    stderr: () => err,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Waits for a 200 on `path`, failing early if the child dies. */
export async function waitReady(child: Child, port: number, path = '/readyz', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void child.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`server exited before it was ready:\n${child.stderr()}`);
    if ((await probe(port, path)) === 200) return;
    await sleep(20);
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${child.stderr()}`);
}

/**
 * User+system CPU time of a process in ms, from /proc (Linux); undefined elsewhere. With `children`, the CPU of its
 * children that exited and were waited for is added (a JVM that forks `chmod` for every file it writes).
 */
export function cpuMs(pid: number, children = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3 (index 0 here); utime and stime are fields 14 and 15, cutime and
    // cstime (waited-for children) 16 and 17.
    const ticks = Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0);
    return (ticks * 1000) / 100; // USER_HZ is 100 on every Linux Node supports
  } catch {
    return undefined;
  }
}

/** Busy CPU time of the whole machine (every core, every process) in ms, from /proc/stat (Linux); undefined elsewhere. */
export function machineBusyMs(): number | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
    const f = first.trim().split(/\s+/).slice(1).map(Number);
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return (busy * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU ms the virtual machine's host took from this machine's cores so far (steal in /proc/stat): time our processes
 * were runnable but not run. On a shared host it comes and goes, and figures measured under it are lower.
 */
export function stolenMs(): number | undefined {
  try {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    return ((f[7] ?? 0) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU ms (user+system) of each live process whose command line contains `needle`, by pid: the PostgreSQL backends
 * serving one database show its name in their process title.
 */
export function cpuMsByPidMatching(needle: string): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) continue;
    } catch {
      continue;
    }
    const ms = cpuMs(Number(pid));
    if (ms !== undefined) out.set(Number(pid), ms);
  }
  return out;
}

/**
 * CPU those processes used between two cpuMsByPidMatching snapshots: a process started meanwhile counts from 0, one
 * that exited meanwhile (a pool closing an idle connection) counts nothing, so the figure never goes negative.
 */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += Math.max(0, ms - (before.get(pid) ?? 0));
  return total;
}

/** This process's own CPU ms (user+system) so far. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `node <args>` to completion and returns its stdout; rejects with stderr on a non-zero exit. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    track(proc);
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited ${code}:\n${err}`))));
  });
}

export async function httpJson(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * User+system CPU ms of a process and every live descendant (nginx's master and its workers), from /proc; the
 * descendants found by their parent pid. Undefined when the process itself is gone.
 */
export function cpuMsOfTree(pid: number): number | undefined {
  const own = cpuMs(pid);
  if (own === undefined) return undefined;
  const parentOf = new Map<number, number>();
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        parentOf.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    return own;
  }
  let total = own;
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        total += cpuMs(child) ?? 0;
        grew = true;
      }
    }
  }
  return total;
}
