import { readdirSync, readFileSync } from 'node:fs';

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
