import type { ValiditySchedule } from './policy-schema.js';
import { compileRecurrence, recurrenceProblems, type CompiledRecurrence } from './recurrence.js';
import { wallFields, wallTimeToInstant } from './zoned-time.js';

export { isKnownTimeZone, wallTimeToInstant } from './zoned-time.js';

// Ranger writes validity as wall-clock times ("yyyy/MM/dd HH:mm:ss") in a named time zone; a policy outside every
// one of its schedules does not exist for the decision. Times are turned into instants once, when the set loads.

export interface ValidityWindow {
  readonly from: number;
  readonly until: number;
  /** Empty: the whole window; otherwise only inside one of these recurring windows. */
  readonly recurrences: readonly CompiledRecurrence[];
}

export function compileValidity(schedules: readonly ValiditySchedule[]): ValidityWindow[] {
  return schedules.map((s) => ({
    from: s.start ? (wallTimeToInstant(s.start, s.timeZone) ?? Number.POSITIVE_INFINITY) : Number.NEGATIVE_INFINITY,
    until: s.end ? (wallTimeToInstant(s.end, s.timeZone) ?? Number.NEGATIVE_INFINITY) : Number.POSITIVE_INFINITY,
    recurrences: (s.recurrences ?? []).map((r) => compileRecurrence(r, s.timeZone)),
  }));
}

/** No schedules: always. Otherwise inside at least one: start and end included (as Ranger), and in one of its recurrences if it has any. */
export function isValidAt(windows: readonly ValidityWindow[], now: number): boolean {
  if (windows.length === 0) return true;
  return windows.some((w) => w.from <= now && now <= w.until && (w.recurrences.length === 0 || w.recurrences.some((r) => r.isApplicable(now))));
}

/**
 * What is wrong with a schedule's recurrences, fields relative to the schedule ("recurrences.0.schedule.hour"). The
 * year field is bounded by the years of the schedule's start and end in its zone. `check` picks the recurrences to look at.
 */
export function recurrenceProblemsOf(s: ValiditySchedule, check: (index: number) => boolean = () => true): Array<{ field: string; message: string }> {
  const yearOf = (text: string | undefined) => {
    const at = text !== undefined ? wallTimeToInstant(text, s.timeZone) : undefined;
    return at === undefined ? undefined : wallFields(at, s.timeZone).year;
  };
  const years = { min: yearOf(s.start), max: yearOf(s.end) };
  return (s.recurrences ?? []).flatMap((r, k) =>
    (check(k) ? recurrenceProblems(r, years) : []).map((p) => ({ field: `recurrences.${k}.${p.field}`, message: p.message })),
  );
}
