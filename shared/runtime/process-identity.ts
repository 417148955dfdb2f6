import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process as another one can recognise it later: pid, host, and its start time (a pid is reused, that is not). */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** Clock ticks since boot at its start (/proc/<pid>/stat), where the system tells it. */
  startTime: string | null;
}

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after "pid (comm) ": comm may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function thisProcess(): ProcessIdentity {
  return { pid: process.pid, host: hostname(), startTime: startTimeOf(process.pid) };
}

/**
 * Whether this machine shows that process is gone: its pid is free, or taken by a process started at another time. A
 * process of another host cannot be checked, and is taken as running. (The data directory lock of shared/db judges
 * its holder the same way.)
 */
export function processGone(p: ProcessIdentity): boolean {
  if (p.host !== hostname()) return false;
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    // EPERM: the pid is there, run by another user.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const now = startTimeOf(p.pid);
  return Boolean(p.startTime && now && now !== p.startTime);
}
