// A module of its own, not part of shared/platform's door: only the functions-framework entry (functions/framework.ts)
// loads @google-cloud/functions-framework, so dist/serve.js, which imports shared/platform, never parses it.
export { registerWithFramework } from './register.js';
