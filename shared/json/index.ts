export { parseJsonLossless, stringifyJsonLossless, sameLong, RawJson, type Long } from './lossless-json.js';
export { findNestingBeyond, type JsonPath } from './json-depth.js';
export { applyMergePatch } from './merge-patch.js';
