export { compileValidator, type Validator, type Part } from './validator.js';
export { HTTP_PARSER_MAX_HEADER_BYTES, MAX_HEADER_BYTES, MAX_JSON_DEPTH, MAX_URL_LENGTH, PRINTABLE_TRIMMED } from './input-limits.js';
export { StringMap } from './string-map.js';
export { findUnstorableText, isStorableText, printableField } from './storable-text.js';
export { Type, type Static, type TSchema, type TObject } from '@sinclair/typebox';
