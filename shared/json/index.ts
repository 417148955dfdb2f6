export { parseJsonLossless, stringifyJsonLossless, sameLong, RawJson, type Long } from './lossless-json.js';
