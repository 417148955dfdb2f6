// Wall-clock time in a named time zone, as Ranger writes times ("yyyy/MM/dd HH:mm:ss" plus an IANA zone) and reads
// recurrences (calendar fields). Only Intl is used: no time zone data of our own to keep current.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether the runtime knows the zone (an unknown one is a 400 when the policy is written). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The calendar fields of an instant in a zone. month is 0-11 and dayOfWeek 1 (Sunday) to 7, as java.util.Calendar counts. */
export interface WallFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly dayOfWeek: number;
}

export function wallFields(instant: number, zone: string): WallFields {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const year = parts['year']!;
  const month = parts['month']! - 1;
  const day = parts['day']!;
  return {
    year,
    month,
    day,
    hour: parts['hour']!,
    minute: parts['minute']!,
    second: parts['second']!,
    millisecond: ((instant % 1000) + 1000) % 1000,
    dayOfWeek: new Date(Date.UTC(year, month, day)).getUTCDay() + 1,
  };
}

/** The zone's offset from UTC, in ms, at an instant. */
function offsetAt(instant: number, zone: string): number {
  const f = wallFields(instant, zone);
  return Date.UTC(f.year, f.month, f.day, f.hour, f.minute, f.second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in a zone. Fields out of range roll over as a lenient java.util.Calendar rolls them
 * (day 31 of February is in March, month -1 is December of the year before).
 */
export function wallToInstant(zone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): number {
  const wall = Date.UTC(year, month, day, hour, minute, second, millisecond);
  // The offset depends on the instant we are looking for; two rounds settle it across a DST change.
  let instant = wall - offsetAt(wall, zone);
  instant = wall - offsetAt(instant, zone);
  return instant;
}

/** Days in a month (0-11) of a year; the month may be out of range and rolls over. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

const DATE_TIME = /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * "yyyy/MM/dd HH:mm:ss" in `zone` as epoch ms; undefined if the text is not a real date and time. `shorter` also
 * takes "yyyy/MM/dd HH:mm" and "yyyy/MM/dd", the other forms Ranger's time-range checks read.
 */
export function wallTimeToInstant(text: string, zone: string, shorter = false): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m || (!shorter && m[6] === undefined)) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return wallToInstant(zone, y, mo - 1, d, h, mi, s);
}
