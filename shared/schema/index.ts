export { compileValidator, type Validator, type Part } from './validator.js';
export { MAX_JSON_DEPTH } from './input-limits.js';
export { findUnstorableText, isStorableText, printableField } from './storable-text.js';
export { Type, type Static, type TSchema, type TObject } from '@sinclair/typebox';
