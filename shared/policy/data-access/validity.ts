import type { ValiditySchedule } from './policy-schema.js';

// Ranger writes validity as wall-clock times ("yyyy/MM/dd HH:mm:ss") in a named time zone; a policy outside every
// one of its schedules does not exist for the decision. Times are turned into instants once, when the set loads.

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Whether the runtime knows the zone (an unknown one is a 400 when the policy is written). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC, in ms, at an instant. */
function offsetAt(instant: number, zone: string): number {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsetFormatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** "yyyy/MM/dd HH:mm:ss" in `zone` as epoch ms; undefined if the text is not a real date and time. */
export function wallTimeToInstant(text: string, zone: string): number | undefined {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  // The offset depends on the instant we are looking for; two rounds settle it across a DST change.
  let instant = wall - offsetAt(wall, zone);
  instant = wall - offsetAt(instant, zone);
  return instant;
}

export interface ValidityWindow {
  readonly from: number;
  readonly until: number;
}

export function compileValidity(schedules: readonly ValiditySchedule[]): ValidityWindow[] {
  return schedules.map((s) => ({
    from: s.start ? (wallTimeToInstant(s.start, s.timeZone) ?? Number.POSITIVE_INFINITY) : Number.NEGATIVE_INFINITY,
    until: s.end ? (wallTimeToInstant(s.end, s.timeZone) ?? Number.NEGATIVE_INFINITY) : Number.POSITIVE_INFINITY,
  }));
}

/** No schedules: always. Otherwise inside at least one window, start included, end excluded. */
export function isValidAt(windows: readonly ValidityWindow[], now: number): boolean {
  if (windows.length === 0) return true;
  return windows.some((w) => w.from <= now && now < w.until);
}
