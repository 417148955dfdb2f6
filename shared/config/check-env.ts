import { FormatRegistry, type TObject, type Static } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';

// The environment is checked with TypeBox's interpreter, not Ajv: Ajv generates and compiles code for the schema,
// which was an eighth of a function's cold start (bench/RESULTS.md), for one check of a few dozen flat variables.
if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value));

export interface EnvProblem {
  variable: string;
  message: string;
}

function describe(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  switch (e.type) {
    case ValueErrorType.Integer:
      return 'must be integer';
    case ValueErrorType.Boolean:
      return 'must be boolean (true or false)';
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be <= ${String(s['maximum'])}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be >= ${String(s['minimum'])}`;
    case ValueErrorType.StringMinLength:
      return `must NOT have fewer than ${String(s['minLength'])} characters`;
    case ValueErrorType.StringMaxLength:
      return `must NOT have more than ${String(s['maxLength'])} characters`;
    case ValueErrorType.StringPattern:
      return `must match pattern "${String(s['pattern'])}"`;
    case ValueErrorType.StringFormat:
      return `must be a ${String(s['format'])}`;
    case ValueErrorType.Union: {
      const options = ((s['anyOf'] as Array<{ const?: unknown }> | undefined) ?? []).map((o) => o.const).filter((c) => c !== undefined);
      return options.length > 0 ? `must be one of: ${options.join(', ')}` : 'is invalid';
    }
    default:
      return e.message;
  }
}

/**
 * Applies defaults, turns text into the integers and booleans the schema asks for, and checks the result. Returns
 * the typed value, or every problem, each naming its variable. Unknown variables are the caller's to leave out.
 */
export function checkEnv<S extends TObject>(schema: S, raw: Record<string, string>): { value: Static<S> } | { problems: EnvProblem[] } {
  const value = Value.Convert(schema, Value.Default(schema, { ...raw }));
  if (Value.Check(schema, value)) return { value: value as Static<S> };
  const problems: EnvProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const variable = e.path.split('/')[1] ?? '';
    // A union reports each failed branch too; the union's own message is the one to act on.
    if (seen.has(variable)) continue;
    seen.add(variable);
    problems.push({ variable, message: describe(e) });
  }
  return { problems };
}
