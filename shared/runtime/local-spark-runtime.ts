import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { SparkApplication } from './spark-application.js';
import type { Logger } from '../log/index.js';
import { followFile } from './follow-file.js';
import { endGroup, groupAlive, signalGroup, spawnInOwnGroup } from './process-group.js';
import { processGone, thisProcess, type ProcessIdentity } from './process-identity.js';
import type { FollowOptions, ResourceChange, SubmitResult, WorkloadRuntime } from './workload-runtime.js';

export interface LocalSparkOptions {
  /** spark-submit to run; undefined: none found (every submit then fails with SUBMISSION_FAILED and says why). */
  sparkSubmit: string | undefined;
  /** The Python of PySpark jobs (PYSPARK_PYTHON). */
  python: string | undefined;
  master: string;
  /** Driver logs go to <logDir>/<name>.log. */
  logDir: string;
  /** Secret references resolve to files <secretsDir>/<secretName>/<key>, as a mounted Kubernetes Secret reads. */
  secretsDir: string;
  /** How long a cancelled driver (its whole process group) gets between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** Reports a status change; must not throw (the runtime does not wait on it beyond ordering). */
  publish(change: ResourceChange, app: SparkApplication): Promise<void>;
  log: Logger;
}

interface Supervised {
  app: SparkApplication;
  child?: ChildProcess;
  sequence: number;
  cancelled: boolean;
  /** When this process's stop ended it, still running (its end is reported as the process's, not as a cancel). */
  stoppedAt?: string;
  /** A status report of it could not be published: its record stays, for the next process to report it lost. */
  unreported?: boolean;
  /** Resolves once spark-submit has exited. */
  done: Promise<void>;
  /** Resolves once nothing of its process group is left (the group is ended when spark-submit exits, whatever the cause). */
  ended: Promise<void>;
}

/** A workload's record (groupFile): its process group, and the process that supervises it. */
interface WorkloadGroup {
  pgid: number;
  supervisor: ProcessIdentity;
}

/** Environment a driver gets from us: enough to find Java and Python, nothing of the platform's own secrets. */
const PASSED_THROUGH = ['PATH', 'HOME', 'JAVA_HOME', 'LANG', 'TMPDIR', 'SPARK_HOME', 'SPARK_LOCAL_IP', 'HADOOP_CONF_DIR'];

/**
 * The embedded runtime: each attempt is one spark-submit process on this machine (master local[N]), supervised until
 * it exits, its driver log written to a file. spark-submit leads a process group of its own (process-group.ts): a
 * cancel, a timeout, the end of the driver and the server's stop end the whole group, the Python of a PySpark job
 * and anything else the driver started included; a group left running by a process killed outright (SIGKILL: no exit
 * handler runs) is ended by the next one when asked to cancel it. It reports the states the Spark Operator would, as
 * SparkApplication updates with a growing resourceVersion: "" (new) on submit, SUBMITTED, RUNNING once the process
 * runs, COMPLETED or FAILED (with the log's last lines) when it exits, a delete when it is cancelled, and FAILED (the
 * driver ended with this process) then a delete when this process stops.
 */
export class LocalSparkRuntime implements WorkloadRuntime {
  readonly name = 'local' as const;
  private readonly apps = new Map<string, Supervised>();
  private publishing: Promise<void> = Promise.resolve();
  /** Process groups still running. If the process exits without stop() (its shutdown watchdog, a crash), they are killed on the way out. */
  private readonly liveGroups = new Set<number>();
  private readonly ending = new Map<number, Promise<void>>();
  private readonly me: ProcessIdentity = thisProcess();
  private readonly killLiveGroups = () => {
    for (const pgid of this.liveGroups) signalGroup(pgid, 'SIGKILL');
  };

  constructor(private readonly o: LocalSparkOptions) {
    mkdirSync(o.logDir, { recursive: true });
  }

  ensureAvailable(): void {
    // A machine without spark-submit still takes runs: each fails with SUBMISSION_FAILED saying what to install.
  }

  private logFile(name: string): string {
    return path.join(this.o.logDir, `${name}.log`);
  }

  /**
   * Which process group a workload runs in and which process supervises it, kept beside its log until the group has
   * ended (or, when this process stops, for good): another process tells from it that the workload was lost, and
   * ends what a killed supervisor left running.
   */
  private groupFile(name: string): string {
    return path.join(this.o.logDir, `${name}.group.json`);
  }

  private readGroupFile(name: string): WorkloadGroup | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.groupFile(name), 'utf8')) as Partial<WorkloadGroup>;
      const sup = parsed.supervisor;
      if (!Number.isInteger(parsed.pgid) || !sup || !Number.isInteger(sup.pid) || typeof sup.host !== 'string') return undefined;
      return { pgid: parsed.pgid!, supervisor: { pid: sup.pid, host: sup.host, startTime: typeof sup.startTime === 'string' ? sup.startTime : null } };
    } catch {
      return undefined;
    }
  }

  /** Status reports go out one at a time, in order, off the caller's path (it may hold the store's only connection). */
  private report(s: Supervised, change: ResourceChange, state: string | undefined, extra: Record<string, string> = {}): void {
    s.sequence += 1;
    const app: SparkApplication = {
      ...s.app,
      metadata: { ...s.app.metadata, resourceVersion: String(s.sequence) },
      status: {
        ...(state !== undefined ? { applicationState: { state, ...(extra['errorMessage'] ? { errorMessage: extra['errorMessage'] } : {}) } } : {}),
        ...(extra['sparkApplicationId'] ? { sparkApplicationId: extra['sparkApplicationId'] } : {}),
        ...(extra['terminationTime'] ? { terminationTime: extra['terminationTime'] } : {}),
        ...(extra['lastSubmissionAttemptTime'] ? { lastSubmissionAttemptTime: extra['lastSubmissionAttemptTime'] } : {}),
      },
    };
    this.publishing = this.publishing
      .then(() => this.o.publish(change, app))
      .catch((err: unknown) => {
        s.unreported = true;
        this.o.log.error({ err, app: app.metadata.name }, 'local runtime: a status report was lost');
      });
  }

  async submit(app: SparkApplication): Promise<SubmitResult> {
    const name = app.metadata.name;
    const logLocation = this.logFile(name);
    // Submitted before (by this process, or by one before a restart: its log file is there): nothing more to do.
    if (this.apps.has(name) || existsSync(logLocation)) return { logLocation };
    const s: Supervised = { app, sequence: 0, cancelled: false, done: Promise.resolve(), ended: Promise.resolve() };
    this.apps.set(name, s);
    const fd = openSync(logLocation, 'a');
    this.report(s, 'add', '', {});
    const failSubmission = (why: string) => {
      closeSync(fd);
      this.report(s, 'update', 'SUBMISSION_FAILED', { errorMessage: why, terminationTime: new Date().toISOString() });
      return { logLocation };
    };
    if (!this.o.sparkSubmit)
      return failSubmission('no spark-submit on this machine: install PySpark (pip install pyspark==3.5.*) or set LAKEPLANE_SPARK_SUBMIT');
    let env: Record<string, string>;
    try {
      env = this.environment(app);
    } catch (err) {
      return failSubmission((err as Error).message);
    }
    // Its own working directory: a Thrift server keeps a Derby metastore and spark-warehouse/ in it, jobs their scratch.
    const cwd = path.join(this.o.logDir, `${name}.d`);
    mkdirSync(cwd, { recursive: true });
    const child = spawnInOwnGroup(this.o.sparkSubmit, this.arguments(app), { env, cwd, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    s.child = child;
    // The pid is there as soon as the process is (before 'spawn'): a cancel that comes right away still finds its group.
    if (child.pid !== undefined) {
      this.watchGroup(child.pid);
      writeFileSync(this.groupFile(name), JSON.stringify({ pgid: child.pid, supervisor: this.me } satisfies WorkloadGroup));
    }
    this.report(s, 'update', 'SUBMITTED', { lastSubmissionAttemptTime: new Date().toISOString() });
    s.done = new Promise<void>((resolve) => {
      child.once('spawn', () => this.report(s, 'update', 'RUNNING', { sparkApplicationId: `local-${child.pid}` }));
      child.once('error', (err) => {
        this.report(s, 'update', 'SUBMISSION_FAILED', {
          errorMessage: `spark-submit could not start: ${err.message}`,
          terminationTime: new Date().toISOString(),
        });
        resolve();
      });
      child.once('exit', (code, signal) => {
        const at = new Date().toISOString();
        if (s.stoppedAt) {
          // Ended by this process's stop: the driver failed, as the Spark Operator reports a driver that vanished, and
          // the application is gone with the process.
          this.report(s, 'update', 'FAILED', {
            terminationTime: at,
            errorMessage: `the local spark-submit process ended with the Lakeplane process that ran it (stopped at ${s.stoppedAt})`,
          });
          this.report(s, 'delete', undefined);
        } else if (s.cancelled) this.report(s, 'delete', undefined);
        else if (code === 0) this.report(s, 'update', 'COMPLETED', { terminationTime: at });
        else
          this.report(s, 'update', 'FAILED', {
            terminationTime: at,
            errorMessage: `spark-submit exited with ${signal ? `signal ${signal}` : `code ${code}`}${this.lastError(name)}`,
          });
        resolve();
      });
    });
    // Whatever the driver left behind when it exited (a Python it started, its children) goes with it.
    s.ended = s.done.then(() => this.endGroupOf(s));
    return { logLocation };
  }

  private watchGroup(pgid: number): void {
    if (this.liveGroups.size === 0) process.on('exit', this.killLiveGroups);
    this.liveGroups.add(pgid);
  }

  /**
   * Ends the process group the workload's spark-submit leads, once (a cancel and the driver's exit may both ask); the
   * group's number is never signalled after that, as the system may give it to another process.
   */
  private endGroupOf(s: Supervised): Promise<void> {
    const pgid = s.child?.pid;
    if (pgid === undefined || !this.liveGroups.has(pgid)) return Promise.resolve();
    let ending = this.ending.get(pgid);
    if (!ending) {
      ending = (async () => {
        if (groupAlive(pgid) && !(await endGroup(pgid, this.o.killGraceMs)))
          this.o.log.warn({ pgid }, 'local runtime: a process of an ended workload outlived SIGKILL (a zombie nobody reaps?)');
        this.liveGroups.delete(pgid);
        this.ending.delete(pgid);
        // Ended by this process's stop, the record stays until its end is reported (stop() removes it then).
        if (!s.stoppedAt) rmSync(this.groupFile(s.app.metadata.name), { force: true });
        if (this.liveGroups.size === 0) process.off('exit', this.killLiveGroups);
      })();
      this.ending.set(pgid, ending);
    }
    return ending;
  }

  supervises(name: string): boolean {
    return this.apps.has(name);
  }

  orphaned(name: string): boolean {
    if (this.apps.has(name)) return false;
    const group = this.readGroupFile(name);
    return group !== undefined && processGone(group.supervisor);
  }

  async cancel(name: string): Promise<void> {
    const s = this.apps.get(name);
    if (!s) return this.endLeftover(name);
    if (!s.child || s.child.exitCode !== null || s.child.signalCode !== null) {
      // Deleting an application that already ended: the API server reports that deletion too, once.
      if (!s.cancelled) {
        s.cancelled = true;
        this.report(s, 'delete', undefined);
      }
      await s.ended;
      return;
    }
    s.cancelled = true;
    await this.endGroupOf(s);
    await s.done;
    await s.ended;
  }

  /**
   * An orphaned workload (its supervisor is gone), still running if that process was killed outright (no exit handler
   * ran): its group is ended, and its record forgotten. Only when the group's leader is still that workload's
   * spark-submit (its command line names it; read from /proc), as the number may since have gone to another process;
   * where that cannot be read, the group is left alone. A workload another live process supervises is not touched.
   */
  private async endLeftover(name: string): Promise<void> {
    if (!this.orphaned(name)) return;
    const { pgid } = this.readGroupFile(name)!;
    let command: string[] = [];
    try {
      command = readFileSync(`/proc/${pgid}/cmdline`, 'utf8').split('\0');
    } catch {
      // Gone, or no /proc here.
    }
    if (pgid > 1 && command.some((arg, i) => arg === '--name' && command[i + 1] === name)) {
      this.o.log.warn({ pgid, app: name }, 'local runtime: ending the process group of a workload a Lakeplane process that is gone left running');
      if (!(await endGroup(pgid, this.o.killGraceMs))) this.o.log.warn({ pgid }, 'local runtime: a process of a left-over workload outlived SIGKILL');
    }
    rmSync(this.groupFile(name), { force: true });
  }

  async logs(name: string, options: { tailLines: number }): Promise<string | undefined> {
    const file = this.logFile(name);
    if (!existsSync(file)) return undefined;
    // Read at most the last 4 MiB: enough for any tail asked for, without reading a huge log whole.
    const size = statSync(file).size;
    const start = Math.max(0, size - 4 * 1024 * 1024);
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      return lines.slice(-options.tailLines).join('\n');
    } finally {
      await handle.close();
    }
  }

  async followLogs(name: string, options: FollowOptions): Promise<AsyncIterable<Buffer> | undefined> {
    const file = this.logFile(name);
    if (!existsSync(file)) return undefined;
    return followFile(file, { ...options, pollMs: 200 });
  }

  /** Ends every workload at once (each gets the grace at the same time, not one after another) and their groups. */
  async stop(): Promise<void> {
    const at = new Date().toISOString();
    for (const s of this.apps.values()) if (s.child && s.child.exitCode === null && s.child.signalCode === null) s.stoppedAt = at;
    await Promise.all([...this.apps.keys()].map((name) => this.cancel(name)));
    await Promise.all([...this.apps.values()].map((s) => s.ended));
    await this.publishing;
    // What could not be reported keeps its record: the next process finds it lost, and says so.
    for (const s of this.apps.values()) if (s.stoppedAt && !s.unreported) rmSync(this.groupFile(s.app.metadata.name), { force: true });
  }

  private arguments(app: SparkApplication): string[] {
    const { spec } = app;
    const args = ['--master', this.o.master, '--name', app.metadata.name, '--driver-memory', spec.driver.memory];
    const conf: Record<string, string> = {
      ...spec.sparkConf,
      'spark.executor.memory': spec.executor.memory,
      'spark.executor.cores': String(spec.executor.cores),
    };
    for (const [k, v] of Object.entries(spec.hadoopConf)) conf[`spark.hadoop.${k}`] = v;
    for (const [k, v] of Object.entries(conf)) args.push('--conf', `${k}=${v}`);
    if (spec.mainClass) args.push('--class', spec.mainClass);
    if (spec.deps.jars?.length) args.push('--jars', spec.deps.jars.join(','));
    if (spec.deps.pyFiles?.length) args.push('--py-files', spec.deps.pyFiles.join(','));
    if (spec.deps.files?.length) args.push('--files', spec.deps.files.join(','));
    if (spec.deps.packages?.length) args.push('--packages', spec.deps.packages.join(','));
    args.push(spec.mainApplicationFile.replace(/^local:\/\//, ''), ...spec.arguments);
    return args;
  }

  private environment(app: SparkApplication): Record<string, string> {
    const env: Record<string, string> = {};
    for (const k of PASSED_THROUGH) if (process.env[k]) env[k] = process.env[k]!;
    if (this.o.python) env['PYSPARK_PYTHON'] = env['PYSPARK_DRIVER_PYTHON'] = this.o.python;
    for (const e of app.spec.driver.env) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom) {
        const file = path.join(this.o.secretsDir, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
        if (!existsSync(file)) throw new Error(`secret ${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key} (for ${e.name}) is not at ${file}`);
        env[e.name] = readFileSync(file, 'utf8');
      }
    }
    return env;
  }

  /** The last error-looking lines of a driver's log, for the failure message. */
  private lastError(name: string): string {
    try {
      const lines = readFileSync(this.logFile(name), 'utf8')
        .split('\n')
        .filter((l) => /error|exception|traceback/i.test(l));
      const tail = lines.slice(-3).join(' | ').slice(0, 1000);
      return tail ? `: ${tail}` : '';
    } catch {
      return '';
    }
  }
}
