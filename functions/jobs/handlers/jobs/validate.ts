import { jobProblems, type JobSpec } from '../../../../shared/domains/jobs/index.js';
import { ValidationError } from '../../../../shared/errors/index.js';

/** What the schema cannot say about a job (every problem at once, each naming its field) is a 400. */
export function validateJob(spec: JobSpec): void {
  const problems = jobProblems(spec);
  if (problems.length > 0) throw new ValidationError(problems);
}
