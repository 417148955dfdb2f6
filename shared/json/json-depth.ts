/**
 * How deep a JSON text nests, found in one pass over the text before anything parses it. JSON.parse itself copes with
 * any depth, but what walks the parsed value afterwards (the schema validator, lossless-json, the metadata builder,
 * PostgreSQL's jsonb functions) recurses, and 10,000 nested struct types overflowed their stacks as a 500.
 */

/** Where the first container past the limit opens: the path of keys and indices leading to it. */
export type JsonPath = ReadonlyArray<string | number>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** The end (index of the closing quote) of the string that opens at `start`, or -1 when it never closes. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

function decodeKey(text: string, start: number, end: number): string {
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return text.slice(start + 1, end);
  }
}

/**
 * The path to the first array or object nested deeper than `maxDepth`, or undefined when none is. Linear in the
 * text; malformed JSON is left for the parser to describe. Keys are decoded only for the answer.
 */
export function findNestingBeyond(text: string, maxDepth: number): JsonPath | undefined {
  // Per open container: whether it is an array, the element index (arrays) or where its current key lies (objects).
  const isArray: boolean[] = [];
  const index: number[] = [];
  const keyStart: number[] = [];
  const keyEnd: number[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end === -1) return undefined;
      const top = isArray.length - 1;
      if (expectKey && top >= 0 && !isArray[top]) {
        keyStart[top] = i;
        keyEnd[top] = end;
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (isArray.length >= maxDepth) return pathOf(text, isArray, index, keyStart, keyEnd);
      isArray.push(c === OPEN_ARRAY);
      index.push(0);
      keyStart.push(-1);
      keyEnd.push(-1);
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      isArray.pop();
      index.pop();
      keyStart.pop();
      keyEnd.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const top = isArray.length - 1;
      if (top < 0) continue;
      if (isArray[top]) index[top]! += 1;
      else expectKey = true;
    }
  }
  return undefined;
}

function pathOf(text: string, isArray: boolean[], index: number[], keyStart: number[], keyEnd: number[]): JsonPath {
  const path: Array<string | number> = [];
  for (let level = 0; level < isArray.length; level++) {
    if (isArray[level]) path.push(index[level]!);
    else if (keyStart[level]! >= 0) path.push(decodeKey(text, keyStart[level]!, keyEnd[level]!));
  }
  return path;
}
