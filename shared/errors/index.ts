export * from './errors.js';
export { renderError, PROBLEM_TYPE_BASE, type Problem, type RenderedError, type ErrorShape } from './problem.js';
export * from './catalog-errors.js';
