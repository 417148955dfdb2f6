import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The process table, read from /proc (Linux): which processes descend from a pid, and which of a set are still
 * alive. A process that started its own group (spark-submit detached by the local runtime) is still found by its
 * parent link while its parent lives, so stopping a function takes it down too.
 */
interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces or parentheses itself: read after the last one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function table(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
}

/** Every process below `root` (children, their children...), with their process groups. */
export function descendants(root: number): ProcStat[] {
  const all = table();
  const found: ProcStat[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const p of all) {
      if (p.ppid === parent && !found.some((f) => f.pid === p.pid)) {
        found.push(p);
        frontier.push(p.pid);
      }
    }
  }
  return found;
}

/** The pids of `pids` that still run (a zombie waiting for its parent to read its exit counts as gone). */
export function stillRunning(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    const s = stat(pid);
    return s !== undefined && s.state !== 'Z' && s.state !== 'X';
  });
}

/** Sends a signal to each process group (negative pid) and process; one already gone is no error. */
export function signalAll(groups: Iterable<number>, pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const g of groups) {
    try {
      process.kill(-g, signal);
    } catch {
      /* gone already */
    }
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* gone already */
    }
  }
}

/** The inodes of the TCP sockets listening on `port`, on any address (/proc/net/tcp and tcp6: state 0A is LISTEN). */
function listeningSockets(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (fields.length < 10 || fields[3] !== '0A' || local === undefined) continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** Whether one of `pids` is what listens on `port`: a readiness answer on the port then came from it, not a stranger. */
export function listensOn(pids: readonly number[], port: number): boolean {
  const sockets = listeningSockets(port);
  if (sockets.size === 0) return false;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[') && sockets.has(target.slice(8, -1))) return true;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return false;
}
