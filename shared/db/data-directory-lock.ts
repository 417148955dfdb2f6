import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * One Lakeplane process per data directory. PGlite is a database in this process: a second process opening the same
 * files corrupts them or dies with PGlite's `RuntimeError: Aborted()`, and the local runtime's run logs and working
 * directories are there too.
 *
 * The lock is a file created with O_EXCL semantics (a hard link of a complete temporary file, so no reader ever sees
 * it half written) that names its holder: pid, host and the process's start time. Chosen over a mkdir lock with
 * mtime heartbeats (proper-lockfile): that one cannot tell who holds it, needs a timer refreshing it in the server,
 * calls a live lock stale when the event loop stalls on a loaded machine, and leaves a crashed holder's lock in place
 * until its staleness timeout. Here a crashed holder is seen at once: its pid is gone, or the pid now belongs to a
 * process started at another time (pid reuse). A holder on another host (a shared volume) cannot be checked, and so
 * is believed.
 */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly holder: LockHolder,
  ) {
    super(
      `Another Lakeplane (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}) is using the data directory ${directory}: stop it, or set LAKEPLANE_DATA_DIR to another directory.`,
    );
    this.name = 'DataDirectoryInUseError';
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat), where the system tells it. */
  startTime: string | null;
}

export interface DataDirectoryLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): void;
}

const LOCK_FILE = 'lakeplane.lock';

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after "pid (comm) ": comm may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, startTime: typeof parsed.startTime === 'string' ? parsed.startTime : null };
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be running: true unless this machine shows it is gone. */
function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the pid is there, run by another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = startTimeOf(holder.pid);
  return !(holder.startTime && now && now !== holder.startTime);
}

const sameHolder = (a: LockHolder | undefined, b: LockHolder | undefined) =>
  a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.startTime === b.startTime;

/**
 * Takes the lock of `directory` (made if missing) for this process, or throws DataDirectoryInUseError naming the
 * process that holds it. A lock left by a process that is gone is taken over.
 */
export function lockDataDirectory(directory: string): DataDirectoryLock {
  const dir = path.resolve(directory);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), startTime: startTimeOf(process.pid) };
  const draft = path.join(dir, `${LOCK_FILE}.${process.pid}.tmp`);
  writeFileSync(draft, JSON.stringify(me) + '\n');
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
        return {
          file,
          release() {
            if (sameHolder(readHolder(file), me)) unlinkSync(file);
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder && holderAlive(holder)) throw new DataDirectoryInUseError(dir, holder);
      // Gone (or unreadable): moved aside, not deleted, so that of two processes taking it over at once the one that
      // moved a live lock by mistake can tell (the file it moved is not the one it judged) and put it back.
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = readHolder(aside);
      if (holder && !sameHolder(moved, holder)) {
        try {
          linkSync(aside, file);
        } catch {
          // Someone took it meanwhile: that one is the holder now.
        }
      }
      unlinkSync(aside);
    }
    const holder = readHolder(file);
    throw new DataDirectoryInUseError(dir, holder ?? { pid: 0, host: hostname(), startTime: null });
  } finally {
    unlinkSync(draft);
  }
}
