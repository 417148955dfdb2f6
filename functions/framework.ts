import { registerWithFramework } from '../shared/framework/index.js';
import { allFunctions } from './index.js';

/** Source module for the functions framework CLI: `functions-framework --source=dist/functions.js --target=iam`. */
for (const fn of allFunctions) registerWithFramework(fn);
