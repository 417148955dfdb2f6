export { compileValidator, type Validator, type Part } from './validator.js';
export { Type, type Static, type TSchema, type TObject } from '@sinclair/typebox';
