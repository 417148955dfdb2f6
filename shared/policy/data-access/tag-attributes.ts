/**
 * Catalog tags with attributes, as Ranger's RangerTag carries them (a type and string attributes), and the dates
 * Ranger reads from them. The default tag-based deny of Ranger's tag service is `EXPIRES_ON` with the condition
 * `accessed-after-expiry`, whose script is ctx.isAccessedAfter('expiry_date'): the current tag's `expiry_date`.
 */

/** A tag of a catalog object as a decision sees it: its name (Ranger's tag type) and its attributes, if any. */
export interface ResourceTag {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}

/** The attribute ctx.isAccessedAfter('expiry_date') reads, and the tag Ranger's default expiry policy names. */
export const EXPIRY_DATE_ATTRIBUTE = 'expiry_date';
export const EXPIRES_ON_TAG = 'EXPIRES_ON';

/** Attributes Ranger reads as dates; a value that is not one is refused where it is written, not failed on later. */
export const DATE_ATTRIBUTES: readonly string[] = [EXPIRY_DATE_ATTRIBUTE];

const RANGER_DAY = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const ATLAS_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

/**
 * A tag attribute date as epoch ms, or undefined when it is not one. Ranger's plugins read two forms (strictly: no
 * February 30th): its own `yyyy/MM/dd` and Atlas's `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`. Ranger parses them in the JVM's
 * zone and shifts by that zone's offset, which on a UTC host (the usual server setting) is UTC; the Atlas form says
 * Z. Both are read in UTC here, so a day starts at 00:00 UTC whatever zone Lakeplane runs in.
 */
export function parseTagDate(value: string): number | undefined {
  const day = RANGER_DAY.exec(value);
  const atlas = day ? undefined : ATLAS_TIME.exec(value);
  const m = day ?? atlas;
  if (!m) return undefined;
  // A day has no time of day: it starts at 00:00:00.000.
  const [y, mo, d, h = 0, mi = 0, s = 0, ms = 0] = m.slice(1).map(Number) as [number, number, number, number?, number?, number?, number?];
  const at = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(at);
  // Date.UTC rolls over (month 13, day 31 of a 30-day month, hour 24); Ranger's non-lenient parser refuses those.
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  )
    return undefined;
  return at;
}

export const TAG_DATE_FORMS = "yyyy/MM/dd (Ranger's form, a day from 00:00 UTC) or yyyy-MM-ddTHH:mm:ss.SSSZ (Atlas's form)";

/** What is wrong with one tag's attributes, fields relative to the attribute map ("expiry_date"). */
export function tagAttributeProblems(attributes: Readonly<Record<string, string>>): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const name of DATE_ATTRIBUTES) {
    const value = attributes[name];
    if (value !== undefined && parseTagDate(value) === undefined)
      out.push({ field: name, message: `${JSON.stringify(value)} is not a date Ranger reads: ${TAG_DATE_FORMS}` });
  }
  return out;
}

/** Attributes by tag name, as the API carries them next to a plain list of tag names (tags without any are left out). */
export type TagAttributeMap = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Tag names and their attributes as the tags a decision reads. */
export function resourceTags(names: readonly string[], attributes: TagAttributeMap | undefined): ResourceTag[] {
  return names.map((name) => {
    const attrs = attributes && Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    return attrs && Object.keys(attrs).length > 0 ? { name, attributes: attrs } : { name };
  });
}

/**
 * What is wrong with an attribute map given next to a list of tags, fields relative to the map ("EXPIRES_ON",
 * "EXPIRES_ON.expiry_date"): each key must be one of the tags, and each date one Ranger reads.
 */
export function tagAttributeMapProblems(names: readonly string[], attributes: TagAttributeMap): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const [tag, attrs] of Object.entries(attributes)) {
    if (!names.includes(tag))
      out.push({
        field: tag,
        message: `is not one of the tags (${names.length > 0 ? names.join(', ') : 'none'}): attributes belong to a tag the object carries`,
      });
    for (const p of tagAttributeProblems(attrs)) out.push({ field: `${tag}.${p.field}`, message: p.message });
  }
  return out;
}
