import { HTTP, type CloudEventV1 } from 'cloudevents';
import type { IncomingHttpHeaders } from 'node:http';
import { BadRequestError, ValidationError, type FieldProblem } from '../errors/index.js';

/**
 * The attributes every CloudEvent must carry (CloudEvents 1.0 "Required Attributes"). The SDK builds binary-mode
 * events without checking them, and the consumers key what they record on source and id, so a missing one must be
 * refused here as the sender's fault, naming it, before anything is written.
 */
const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;
/** PostgreSQL's text refuses NUL, and no attribute has a use for control characters. */
const CONTROL = /[\u0000-\u001f\u007f]/;

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

function problemsOf(read: (attribute: string) => unknown, name: (attribute: string) => string, where: FieldProblem['in']): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const attribute of REQUIRED) {
    const value = read(attribute);
    if (typeof value !== 'string' || value === '')
      problems.push({ in: where, field: name(attribute), message: `is required: a CloudEvent names its ${attribute}` });
    else if (CONTROL.test(value)) problems.push({ in: where, field: name(attribute), message: 'must not contain control characters' });
    else if (attribute === 'specversion' && value !== '1.0')
      problems.push({ in: where, field: name(attribute), message: `must be 1.0, not ${JSON.stringify(value)}` });
  }
  return problems;
}

function objectProblems(value: unknown, prefix: string): FieldProblem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ in: 'body', field: prefix || '', message: 'must be a CloudEvent: a JSON object with specversion, id, source and type' }];
  }
  const attributes = value as Record<string, unknown>;
  return problemsOf(
    (a) => attributes[a],
    (a) => (prefix ? `${prefix}.${a}` : a),
    'body',
  );
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestError(`not a valid CloudEvent: the body is not JSON (${(err as Error).message})`);
  }
}

/**
 * Reads one CloudEvent from a request in binary, structured or batch mode. The required attributes are checked here
 * (400 naming each missing one, or the batch element that is not an event); the SDK then decodes the rest. A batch
 * must carry exactly one event: the answer reports one outcome, and taking the first would drop the others unseen.
 */
export function parseCloudEvent(headers: IncomingHttpHeaders, body: Buffer): CloudEventV1<unknown> {
  const contentType = String(headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  let problems: FieldProblem[];
  if (contentType === BATCH) {
    const batch = parseJson(body);
    if (!Array.isArray(batch)) throw new ValidationError([{ in: 'body', field: '', message: 'a CloudEvents batch must be a JSON array of events' }]);
    problems = batch.flatMap((element, i) => objectProblems(element, `[${i}]`));
    if (problems.length === 0 && batch.length !== 1) {
      throw new ValidationError([
        { in: 'body', field: '', message: `a batch must carry exactly one event, this one carries ${batch.length}; deliver one event per request` },
      ]);
    }
  } else if (contentType === STRUCTURED) {
    problems = objectProblems(parseJson(body), '');
  } else {
    problems = problemsOf(
      (a) => headers[`ce-${a}`],
      (a) => `ce-${a}`,
      'header',
    );
  }
  if (problems.length > 0) throw new ValidationError(problems, `not a valid CloudEvent: ${problems.map((p) => `${p.field || p.in} ${p.message}`).join('; ')}`);
  try {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') flat[k] = v;
    const parsed = HTTP.toEvent({ headers: flat, body: body.toString('utf8') });
    const event = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!event) throw new Error('no event in the request');
    return event as CloudEventV1<unknown>;
  } catch (err) {
    throw new BadRequestError(`not a valid CloudEvent: ${(err as Error).message}`);
  }
}
