import type { FieldProblem } from '../errors/index.js';

/**
 * Text PostgreSQL cannot keep. It refuses U+0000 in text and in jsonb ("invalid byte sequence", "unsupported Unicode
 * escape sequence"), and a lone UTF-16 surrogate is no Unicode character at all: it cannot be encoded as UTF-8 (nor in
 * a URL, where encodeURIComponent throws). Such a string accepted once also breaks every later reader of the row (a
 * purge that writes the table's properties again), so it is refused where it enters, with the field named.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Enough to act on; a body of a million NULs must not make an error of a million entries. */
const MAX_PROBLEMS = 10;

function what(s: string): string {
  return s.includes('\u0000') ? 'a NUL character (U+0000)' : 'a lone UTF-16 surrogate (not valid Unicode)';
}

/** A field name that is safe to show and to store: the offending characters written as \uXXXX escapes. */
export function printableField(path: ReadonlyArray<string | number>): string {
  return path.map((s) => String(s).replace(/[\u0000\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('.');
}

/** Whether a string can be stored and shown as it is. */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/**
 * Every string (and object key) of a decoded input that PostgreSQL could not store, each named by its dotted path.
 * The value has been bounded in depth before (findNestingBeyond), so the walk recurses.
 */
export function findUnstorableText(value: unknown, part: FieldProblem['in']): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const path: Array<string | number> = [];
  const report = (message: string) => problems.push({ in: part, field: printableField(path), message });
  const walk = (v: unknown): void => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (typeof v === 'string') {
      if (!isStorableText(v)) report(`contains ${what(v)}, which cannot be stored`);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length && problems.length < MAX_PROBLEMS; i++) {
        path.push(i);
        walk(v[i]);
        path.pop();
      }
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [key, child] of Object.entries(v)) {
        if (problems.length >= MAX_PROBLEMS) break;
        path.push(key);
        if (!isStorableText(key)) report(`is a key that contains ${what(key)}, which cannot be stored`);
        walk(child);
        path.pop();
      }
    }
  };
  walk(value);
  return problems;
}
