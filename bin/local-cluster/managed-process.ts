import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { descendants, listensOn, signalAll, stillRunning } from './process-tree.js';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** stdout and stderr, appended. */
  readonly logFile: string;
  /** Polled with GET until it answers 200: the process is ready then. */
  readonly readyUrl?: string;
  readonly readyTimeoutMs?: number;
}

export interface ExitReport {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function ownProcessGroup(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
}

/**
 * One process the local cluster runs, as a pod's container: started in a process group of its own (detached), so
 * that stopping it reaches everything it started; an exit nobody asked for is reported, never passed over.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ExitReport> | undefined;
  private expectingExit = false;
  private log: WriteStream | undefined;

  constructor(
    readonly spec: ProcessSpec,
    private readonly onUnexpectedExit: (report: ExitReport) => void,
    private readonly onLine?: (line: string) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is running already`);
    this.expectingExit = false;
    this.log = createWriteStream(this.spec.logFile, { flags: 'a' });
    const child = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: this.spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        this.log?.write(chunk);
        if (!this.onLine) return;
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) !== -1) {
          this.onLine(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      });
    }
    this.exited = new Promise<ExitReport>((resolve) => {
      child.once('exit', (code, signal) => {
        const report = { name: this.spec.name, code, signal };
        if (!this.expectingExit) this.onUnexpectedExit(report);
        resolve(report);
      });
    });
    child.once('error', (err) => this.log?.write(`${this.spec.name} could not be started: ${err.message}\n`));
    if (this.spec.readyUrl) await this.ready(this.spec.readyUrl, this.spec.readyTimeoutMs ?? 90_000);
  }

  /** Waits for the ready URL; a process that exits meanwhile fails the start with the tail of its log. */
  private async ready(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.name} exited while starting; see ${this.spec.logFile}:\n${this.tail()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        // The answer counts only if this process gave it: another program may hold the port (this one then fails
        // with EADDRINUSE, and is reported above once it has exited).
        if (response.status === 200 && (process.platform !== 'linux' || listensOn(this.tree(), Number(new URL(url).port)))) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.spec.name} did not answer ${url} within ${timeoutMs} ms; see ${this.spec.logFile}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private tail(): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * As Kubernetes stops a container: SIGTERM to the process itself (a function stops its own workloads), and once it
   * has exited, or the grace is over, SIGKILL to everything it started, found by parent link before signalling (a
   * child whose parent is gone can no longer be found) and by process group. Resolves once it exited.
   */
  async stop(graceMs: number): Promise<ExitReport | undefined> {
    return this.end('SIGTERM', graceMs);
  }

  /** A crash, as a pod's container dies: SIGKILL to the whole tree at once. */
  async kill(): Promise<ExitReport | undefined> {
    return this.end('SIGKILL', 0);
  }

  private async end(signal: NodeJS.Signals, graceMs: number): Promise<ExitReport | undefined> {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    this.expectingExit = true;
    const own = ownProcessGroup();
    const tree = () => {
      const below = descendants(pid);
      return { groups: new Set([pid, ...below.map((p) => p.pgid)].filter((g) => g !== own)), pids: [pid, ...below.map((p) => p.pid)] };
    };
    const before = tree();
    const killTree = () => {
      const now = this.running ? tree() : { groups: new Set<number>(), pids: [] };
      signalAll(new Set([...before.groups, ...now.groups]), stillRunning([...before.pids, ...now.pids]), 'SIGKILL');
    };
    if (signal === 'SIGKILL') killTree();
    else process.kill(pid, signal);
    const timer = setTimeout(killTree, graceMs);
    const report = await this.exited!;
    clearTimeout(timer);
    killTree();
    this.log?.end();
    return report;
  }

  /** The pids of this process and everything below it now (for a process-table check). */
  tree(): number[] {
    const pid = this.pid;
    return pid === undefined ? [] : [pid, ...descendants(pid).map((p) => p.pid)];
  }
}
