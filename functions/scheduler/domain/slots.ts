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

/** How far back a tick lists each schedule's slots once, and the most slots such a list may hold. */
const WINDOW_MS = 2 * 86_400_000;
const WINDOW_MAX_SLOTS = 5_000;

/**
 * Each schedule's slots in the two days up to `now`, listed once per (schedule, now): a tick over 10,000 jobs
 * otherwise asks the cron library 10,000 times (most of a tick's time), though the jobs share a few patterns. A job
 * whose last slot lies in the window is answered from the list; an older one (long downtime) is computed as before.
 */
const windows = new Map<string, { from: number; slots: readonly Date[] } | null>();
function windowOf(cron: string, timeZone: string, now: Date): { from: number; slots: readonly Date[] } | null {
  const key = `${timeZone} ${cron} ${now.getTime()}`;
  let w = windows.get(key);
  if (w === undefined) {
    if (windows.size >= 1_000) windows.clear();
    const from = new Date(now.getTime() - WINDOW_MS);
    const slots = computeDueSlots(cron, timeZone, from, now, WINDOW_MAX_SLOTS + 1);
    w = slots.length > WINDOW_MAX_SLOTS ? null : { from: from.getTime(), slots };
    windows.set(key, w);
  }
  return w;
}

/** The slots of a cron schedule after `after` and at or before `now`, oldest first (at most `max`). */
export function dueSlots(cron: string, timeZone: string, after: Date, now: Date, max = 1000): Date[] {
  const w = after.getTime() >= now.getTime() - WINDOW_MS ? windowOf(cron, timeZone, now) : null;
  if (!w || after.getTime() < w.from) return computeDueSlots(cron, timeZone, after, now, max);
  // The first listed slot later than `after` (binary search), and the ones after it.
  let lo = 0;
  let hi = w.slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w.slots[mid]!.getTime() > after.getTime()) hi = mid;
    else lo = mid + 1;
  }
  return w.slots.slice(lo, lo + max).map((d) => new Date(d));
}

function computeDueSlots(cron: string, timeZone: string, after: Date, now: Date, max: number): Date[] {
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
