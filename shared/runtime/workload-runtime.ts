import type { SparkApplication } from './spark-application.js';

/** How an application's status reaches the store: as the Knative ApiServerSource reports a SparkApplication. */
export type ResourceChange = 'add' | 'update' | 'delete';

export interface SubmitResult {
  /** Where the driver's log is (a local file, or pod/<namespace>/<name> on Kubernetes), if known. */
  logLocation?: string;
  /** The application itself was refused (the CRD's schema): the attempt fails with this message, without retrying the submit. */
  rejected?: string;
}

/**
 * Where Spark applications run: the Spark Operator on Kubernetes, or spark-submit on this machine. Both are told an
 * attempt's SparkApplication and report its status the same way, as SparkApplication objects in resource change
 * events (dev.knative.apiserver.resource.*), so one consumer keeps runs up to date whichever runs them.
 */
export interface WorkloadRuntime {
  readonly name: 'local' | 'kubernetes';
  /** Throws (501) when this runtime cannot run anything yet, before a run is stored. */
  ensureAvailable(): void;
  /** Creates the application. One of that name already there is success: a retried submit makes no second one. */
  submit(app: SparkApplication): Promise<SubmitResult>;
  /** Stops and removes it; already gone is success. */
  cancel(name: string): Promise<void>;
  /** The end of the driver's log (at most tailLines lines), or undefined if there is none. */
  logs(name: string, options: { tailLines: number }): Promise<string | undefined>;
  /** Whether this process supervises that workload (local runtime); undefined where workloads outlive the process (Kubernetes). */
  supervises(name: string): boolean | undefined;
  /**
   * Whether the workload is known to have lost its supervisor: the local process that ran it is gone, so no report of
   * it will come (it ended with that process, or is ended when cancelled). False where that is not so or cannot be
   * told; always false on Kubernetes, where the SparkApplication outlives any process.
   */
  orphaned(name: string): boolean;
  /**
   * The driver's log from its last tailLines lines on, as it grows, ending when the driver has ended and its log is
   * complete; undefined if there is no log (yet). Stops, releasing what it holds, when `signal` aborts.
   */
  followLogs(name: string, options: FollowOptions): Promise<AsyncIterable<Buffer | string> | undefined>;
  stop(): Promise<void>;
}

export interface FollowOptions {
  tailLines: number;
  signal: AbortSignal;
  /** Whether the attempt has ended (asked by runtimes that cannot tell from the log itself). */
  ended(): Promise<boolean>;
}
