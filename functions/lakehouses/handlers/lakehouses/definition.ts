import { ValidationError } from '../../../../shared/errors/index.js';
import { lakehouseProblems, type LakehouseSpec } from '../../../../shared/domains/lakehouses/index.js';

export function validate(spec: LakehouseSpec): void {
  const problems = lakehouseProblems(spec);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** The definition as stored: without owner (a column of its own) and name (likewise). */
export function stored(spec: LakehouseSpec): string {
  const { owner: _owner, ...rest } = spec;
  return JSON.stringify(rest);
}
