import { compileExpression, ConditionSyntaxError, type ConditionContext } from './condition-expression.js';
import type { PolicyCondition } from './policy-schema.js';

export type { ConditionContext } from './condition-expression.js';

/**
 * The policy condition types Lakeplane evaluates. Ranger's hive service definition defines no condition of its own;
 * Ranger's admin adds `_expression` (a boolean script) to every service definition, and that is the one type here.
 * Any other type is refused by name when a policy is written: a condition Lakeplane ignored would widen an allow.
 */
export const CONDITION_TYPES = ['_expression'] as const;

/** What is wrong with a list of conditions, fields relative to the list ("0.type", "1.values"). */
export function conditionProblems(list: readonly PolicyCondition[] | undefined): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  (list ?? []).forEach((c, k) => {
    if (!(CONDITION_TYPES as readonly string[]).includes(c.type)) {
      out.push({ field: `${k}.type`, message: `condition "${c.type}" is not evaluated by Lakeplane: the hive service definition defines none, and of Ranger's implicit conditions only "_expression" is (see the README)` });
      return;
    }
    if (c.values.length !== 1) return void out.push({ field: `${k}.values`, message: 'an _expression condition holds exactly one expression (Ranger reads only the first)' });
    try {
      compileExpression(c.values[0]!);
    } catch (err) {
      if (!(err instanceof ConditionSyntaxError)) throw err;
      out.push({ field: `${k}.values.0`, message: err.message });
    }
  });
  return out;
}

export type CompiledConditions = (ctx: ConditionContext) => boolean;

const ALWAYS: CompiledConditions = () => true;

/** All conditions must hold (Ranger's evaluators are AND-ed). Only checked lists are compiled. */
export function compileConditions(list: readonly PolicyCondition[] | undefined): CompiledConditions {
  if (!list || list.length === 0) return ALWAYS;
  const tests = list.map((c) => compileExpression(c.values[0]!));
  return (ctx) => tests.every((t) => t(ctx));
}
