import { readdirSync, readFileSync } from 'node:fs';

/** One row of the process table, as `ps -o pid,pgid,ppid,stat,cmd` shows it. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (a zombie: ended, not yet reaped by its parent) ... */
  state: string;
  cmdline: string;
}

/** The process table, read from /proc (Linux). A process that ends while it is read is left out. */
export function processTable(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      rows.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), state: state ?? '?', cmdline });
    } catch {
      continue;
    }
  }
  return rows;
}

/** Processes still running (zombies have ended: only their exit status waits to be collected). */
export const running = (rows: readonly ProcessRow[]) => rows.filter((r) => r.state !== 'Z');

/** How a list of processes reads in a failure message. */
export const describeProcesses = (rows: readonly ProcessRow[]) =>
  rows.map((r) => `${r.pid} (pgid ${r.pgid}, ppid ${r.ppid}, ${r.state}) ${r.cmdline.slice(0, 200)}`).join('\n');
