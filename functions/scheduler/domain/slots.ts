import { Cron } from 'croner';

/** Compiled schedules by pattern and zone: thousands of jobs share a few patterns, and compiling costs more than asking. */
const compiled = new Map<string, Cron>();
function scheduleOf(cron: string, timeZone: string): Cron {
  const key = `${timeZone} ${cron}`;
  let c = compiled.get(key);
  if (!c) {
    if (compiled.size >= 10_000) compiled.clear();
    c = new Cron(cron, { paused: true, timezone: timeZone });
    compiled.set(key, c);
  }
  return c;
}

/** The slots of a cron schedule after `after` and at or before `now`, oldest first (at most `max`). */
export function dueSlots(cron: string, timeZone: string, after: Date, now: Date, max = 1000): Date[] {
  const schedule = scheduleOf(cron, timeZone);
  const out: Date[] = [];
  let cursor = after;
  for (;;) {
    const next = schedule.nextRun(cursor);
    if (!next || next > now || out.length >= max) return out;
    out.push(next);
    cursor = next;
  }
}

export type CatchUp = 'none' | 'last' | 'all';

/**
 * Which due slots start a run. all: every one, oldest first. last: the newest; the others are missed. none: the
 * newest only if it is on time (no older than `graceMs`, the tick's own lateness); everything else is missed.
 */
export function slotsToStart(due: readonly Date[], catchUp: CatchUp, now: Date, graceMs: number): { start: Date[]; missed: Date[] } {
  if (due.length === 0) return { start: [], missed: [] };
  if (catchUp === 'all') return { start: [...due], missed: [] };
  const newest = due[due.length - 1]!;
  const older = due.slice(0, -1);
  if (catchUp === 'last' || now.getTime() - newest.getTime() <= graceMs) return { start: [newest], missed: older };
  return { start: [], missed: [...due] };
}
