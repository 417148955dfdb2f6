import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A process the local runtime starts, with everything it starts in turn. spark-submit runs a JVM, and for a PySpark
 * job the JVM runs Python: signalling spark-submit alone leaves that Python running, with init as its parent. So each
 * workload is started as the leader of a process group of its own (detached: a new session, no terminal), and it is
 * the group that is signalled: SIGTERM, then SIGKILL after a grace. A process that leaves the group on purpose
 * (setsid) escapes this; Spark and Python do not.
 */
export function spawnInOwnGroup(command: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
}

/** Sends `signal` to every process of the group; false when the group has none left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: none left. EPERM: what is left runs as another user (it changed its own uid): nothing more we may do to it.
    return false;
  }
}

/** Whether any process of the group is still there (a member that ended but was not yet reaped counts). */
export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

/** Resolves once the group has no process left, or with false after `ms`. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** How long to wait for the kernel to take a SIGKILLed group away before giving up on it (unreaped zombies stay). */
const AFTER_KILL_MS = 2_000;

/**
 * Ends the whole group: SIGTERM to every member, SIGKILL to whatever is left after `graceMs`. Resolves when the group
 * is gone; with false if something outlived even SIGKILL for a moment (a zombie no one reaps).
 */
export async function endGroup(pgid: number, graceMs: number): Promise<boolean> {
  if (!signalGroup(pgid, 'SIGTERM')) return true;
  if (await groupGone(pgid, graceMs)) return true;
  signalGroup(pgid, 'SIGKILL');
  return groupGone(pgid, AFTER_KILL_MS);
}
