/**
 * JSON Merge Patch (RFC 7396): what a PATCH in application/merge-patch+json means. An object patch merges into the
 * target field by field, recursively; null removes the field; anything else (a string, a number, an array) replaces
 * it whole. A patch that is not an object replaces the whole target.
 *
 * The target is never changed: the result shares only values the patch left alone, so a caller may hand the stored
 * document in and compare it with the result afterwards.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
