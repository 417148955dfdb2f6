import type { ValidityRecurrence } from './policy-schema.js';
import { daysInMonth, wallFields, wallToInstant, type WallFields } from './zoned-time.js';

/**
 * Ranger's recurring validity windows (RangerValidityRecurrence, checked as RangerValidityScheduleValidator checks them
 * and evaluated as RangerValidityScheduleEvaluator evaluates them). A recurrence opens a window of `interval` at the
 * start its schedule names; an access is inside when it falls between the closest past start and that start plus the
 * interval, both ends included.
 *
 * The closest past start is found the way Ranger's plugins find it, field by field from the minute up, each stepping
 * back (and borrowing from the next field) until it matches, so that a decision here and one by a Ranger plugin
 * enforcing the same download agree. Two consequences users may not expect, both Ranger's: with several minutes and an
 * earlier hour the minute is the one closest before the access's minute, not the hour's last one (minutes 0,30 and
 * hour 9 at 10:15 open at 9:00); and a dayOfMonth schedule whose hour lies before midnight does not reach back to the
 * day before, except across the first of a month (name the days with dayOfWeek for windows that span midnight).
 * Fields are read in the schedule's time zone (Ranger's plugins read them in their JVM's zone).
 */

type FieldName = 'minute' | 'hour' | 'dayOfMonth' | 'dayOfWeek' | 'month' | 'year';

/** Bounds as the user writes them (months 1-12); evaluation counts months 0-11 as java.util.Calendar does. */
const BOUNDS: Record<FieldName, { min: number; max: number }> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  dayOfWeek: { min: 1, max: 7 },
  month: { min: 1, max: 12 },
  year: { min: 2017, max: 2100 },
};
const FIELDS = Object.keys(BOUNDS) as FieldName[];

export interface RecurrenceProblem {
  /** Relative to the recurrence, e.g. "schedule.minute" or "interval". */
  readonly field: string;
  readonly message: string;
}

const strip = (s: string | undefined) => (s ?? '').replace(/\s+/g, '');

/**
 * What Ranger's validator refuses in a recurrence. `years` bounds the year field: the years of the schedule's start
 * and end where given (Ranger also takes the current year when there is no start; we do not, so a policy stays valid
 * as time passes).
 */
export function recurrenceProblems(r: ValidityRecurrence, years: { min?: number | undefined; max?: number | undefined }): RecurrenceProblem[] {
  const out: RecurrenceProblem[] = [];
  const iv = r.interval;
  if ((iv.days ?? 0) === 0 && (iv.hours ?? 0) === 0 && (iv.minutes ?? 0) === 0)
    out.push({ field: 'interval', message: 'must be longer than zero: give days, hours or minutes' });
  if (strip(r.schedule.dayOfMonth) === '' && strip(r.schedule.dayOfWeek) === '')
    out.push({ field: 'schedule.dayOfMonth', message: 'dayOfMonth or dayOfWeek is required' });
  for (const name of FIELDS) {
    const text = strip(r.schedule[name]);
    const field = `schedule.${name}`;
    if (text === '') {
      if (name !== 'dayOfMonth' && name !== 'dayOfWeek') out.push({ field, message: 'is required' });
      continue;
    }
    if (name === 'minute' ? !/^[0-9,]+$/.test(text) : !/^[0-9*,-]+$/.test(text)) {
      out.push({
        field,
        message:
          name === 'minute'
            ? "may hold only minutes (0-59) separated by commas, as Ranger's schedules do"
            : 'may hold only numbers, ranges (a-b), commas and *',
      });
      continue;
    }
    const why = fieldProblem(name, text, years);
    if (why) out.push({ field, message: why });
  }
  return out;
}

function fieldProblem(name: FieldName, text: string, years: { min?: number | undefined; max?: number | undefined }): string | undefined {
  const { min, max } =
    name === 'year'
      ? { min: Math.max(BOUNDS.year.min, years.min ?? BOUNDS.year.min), max: Math.min(BOUNDS.year.max, years.max ?? BOUNDS.year.max) }
      : BOUNDS[name];
  const ranges: Array<[number, number]> = [];
  for (const spec of text.split(',').filter((s) => s !== '')) {
    if (spec.startsWith('-') || spec.endsWith('-') || spec.split('-').length > 2) return `"${spec}" is not a value or a range a-b`;
    const [a, b] = spec.split('-') as [string, string | undefined];
    if (b === undefined) {
      if (a === '*') continue;
      const n = Number(a);
      if (!/^\d+$/.test(a) || n < min || n > max) return `${a} is outside ${min}-${max}`;
      continue;
    }
    if (!/^(\*|\d+)$/.test(a) || !/^(\*|\d+)$/.test(b)) return `"${spec}" is not a range a-b`;
    const lo = a === '*' ? min : Number(a);
    const hi = b === '*' ? max : Number(b);
    if (name === 'year' ? hi < min || lo > max : lo < min || hi > max) return `range ${spec} is outside ${min}-${max}`;
    if (lo >= hi) return `range ${spec} must go from a lower to a higher value`;
    ranges.push([lo, hi]);
  }
  ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i - 1]![1] >= ranges[i]![0]) return `ranges ${ranges[i - 1]!.join('-')} and ${ranges[i]!.join('-')} overlap`;
  return undefined;
}

/** One field's matchers; `any` for `*` (or a range with a `*` end). Undefined: the field is blank. */
type Matchers = { any: true } | { any: false; ranges: Array<[number, number]> };

function compileField(text: string | undefined, offset: number): Matchers | undefined {
  const clean = strip(text);
  if (clean === '') return undefined;
  const ranges: Array<[number, number]> = [];
  for (const spec of clean.split(',').filter((s) => s !== '')) {
    const [a, b] = spec.split('-') as [string, string | undefined];
    if (a === '*' || b === '*') return { any: true };
    ranges.push([Number(a) - offset, Number(b ?? a) - offset]);
  }
  return { any: false, ranges };
}

const matches = (m: Matchers, v: number) => m.any || m.ranges.some(([lo, hi]) => v >= lo && v <= hi);

interface Step {
  readonly value: number;
  readonly borrow: boolean;
}

/** Calendar bounds of each field during evaluation (months 0-11). */
const EVAL: Record<FieldName, { min: number; max: number }> = { ...BOUNDS, month: { min: 0, max: 11 } };

class NoMatch extends Error {}

/**
 * The closest value at or before `value` (less one if the field below borrowed) that the field matches, stepping back
 * through the field's range once and wrapping to `top`; borrow says it wrapped.
 */
function stepBack(name: FieldName, m: Matchers | undefined, value: number, borrowIn: boolean, top = EVAL[name].max): Step {
  const { min, max } = EVAL[name];
  let v = value - (borrowIn ? 1 : 0);
  if (!m) return { value: v < min ? top : v, borrow: false };
  let borrow = false;
  for (let i = 0; i < max - min + 1; i++, v--) {
    if (v < min) {
      v = top;
      borrow = true;
    }
    if (matches(m, v)) return { value: v, borrow };
  }
  throw new NoMatch();
}

export interface CompiledRecurrence {
  /** Whether the access time (epoch ms) lies in one of this recurrence's windows. */
  isApplicable(instant: number): boolean;
}

export function compileRecurrence(r: ValidityRecurrence, zone: string): CompiledRecurrence {
  const minutes = compileField(r.schedule.minute, 0);
  const hours = compileField(r.schedule.hour, 0);
  const daysOfMonth = compileField(r.schedule.dayOfMonth, 0);
  const daysOfWeek = compileField(r.schedule.dayOfWeek, 0);
  const months = compileField(r.schedule.month, 1);
  const years = compileField(r.schedule.year, 0);
  const { days = 0, hours: ivHours = 0, minutes: ivMinutes = 0 } = r.interval;
  const wallOf = (f: Pick<WallFields, 'year' | 'month' | 'day' | 'hour' | 'minute'>) => wallToInstant(zone, f.year, f.month, f.day, f.hour, f.minute);

  /** Month and year for a candidate day, stepped back as the other fields were; the day and time are kept. */
  const fillOut = (c: WallFields | undefined): number | undefined => {
    if (!c) return undefined;
    const month = stepBack('month', months, c.month, false);
    const year = stepBack('year', years, c.year, month.borrow);
    return wallOf({ ...c, year: year.value, month: month.value });
  };

  const byDayOfMonth = (now: WallFields, minute: Step, hour: Step): WallFields | undefined => {
    if (!daysOfMonth) return undefined;
    let { day, month, year } = now;
    let top = daysInMonth(year, month - 1);
    // The hour stepped back past midnight: only on the first of a month does the search start a day earlier (Ranger's).
    if (hour.borrow && now.day === 1) {
      const before = wallFields(wallToInstant(zone, now.year, now.month, now.day - 1, now.hour, now.minute), zone);
      ({ day, month, year } = before);
      top = daysInMonth(year, month - 1);
    }
    for (let attempt = 0; attempt < 48; attempt++) {
      try {
        const found = stepBack('dayOfMonth', daysOfMonth, day, false, top);
        return wallFields(wallToInstant(zone, year, found.borrow ? month - 1 : month, found.value, hour.value, minute.value), zone);
      } catch (err) {
        if (!(err instanceof NoMatch)) throw err;
        // Nothing in the last 31 days: a month earlier, the day pinned to that month's last (Calendar.add(MONTH, -1)).
        const prevMonth = new Date(Date.UTC(year, month - 1, 1));
        year = prevMonth.getUTCFullYear();
        month = prevMonth.getUTCMonth();
        day = Math.min(day, daysInMonth(year, month));
        top = daysInMonth(year, month - 1);
      }
    }
    return undefined;
  };

  const byDayOfWeek = (now: WallFields, minute: Step, hour: Step): WallFields | undefined => {
    if (!daysOfWeek) return undefined;
    const found = stepBack('dayOfWeek', daysOfWeek, now.dayOfWeek, hour.borrow);
    let back = hour.borrow ? 1 : 0;
    if (found.borrow) {
      if (now.dayOfWeek - found.value !== back) back = 7 + now.dayOfWeek - found.value;
    } else back = now.dayOfWeek - found.value;
    return wallFields(wallToInstant(zone, now.year, now.month, now.day - back, hour.value, minute.value), zone);
  };

  return {
    isApplicable(instant) {
      const now = wallFields(instant, zone);
      let start: number | undefined;
      try {
        const minute = stepBack('minute', minutes, now.minute, false);
        const hour = stepBack('hour', hours, now.hour, minute.borrow);
        const a = fillOut(byDayOfMonth(now, minute, hour));
        const b = fillOut(byDayOfWeek(now, minute, hour));
        start = a === undefined ? b : b === undefined ? a : Math.max(a, b);
      } catch (err) {
        if (!(err instanceof NoMatch)) throw err;
        return false;
      }
      if (start === undefined) return false;
      // Minutes and hours are added as elapsed time, days on the calendar (as Calendar.add does).
      const afterTime = start + (ivHours * 60 + ivMinutes) * 60_000;
      const w = wallFields(afterTime, zone);
      const end = days === 0 ? afterTime : wallToInstant(zone, w.year, w.month, w.day + days, w.hour, w.minute, w.second);
      return start <= instant && instant <= end;
    },
  };
}
