import { compileExpression, ConditionSyntaxError, type ConditionContext } from './condition-expression.js';
import type { PolicyCondition } from './policy-schema.js';
import { EXPIRY_DATE_ATTRIBUTE, parseTagDate } from './tag-attributes.js';

export type { ConditionContext } from './condition-expression.js';

/**
 * The policy condition types Lakeplane evaluates. Ranger's hive service definition defines no condition of its own;
 * Ranger's admin adds `_expression` (a boolean script) to every service definition. Ranger's tag service definition
 * defines `accessed-after-expiry` (its script: ctx.isAccessedAfter('expiry_date')), so tag-based policies take it and
 * no other policy does: Ranger's admin refuses a condition type its service definition lacks ("is not a valid
 * condition-type"). Any other type is refused by name when a policy is written: a condition Lakeplane ignored would
 * widen an allow.
 */
export const CONDITION_TYPES = ['_expression', 'accessed-after-expiry'] as const;
export const EXPIRY_CONDITION = 'accessed-after-expiry';

/** Ranger's template conditions answer yes/no: "no" or "false" reverses the script's answer, as its evaluator does. */
const EXPIRY_VALUES = ['yes', 'no', 'true', 'false'];

/** What is wrong with a list of conditions, fields relative to the list ("0.type", "1.values"). */
export function conditionProblems(list: readonly PolicyCondition[] | undefined, tagBased: boolean): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  (list ?? []).forEach((c, k) => {
    if (c.type === EXPIRY_CONDITION) {
      if (!tagBased)
        return void out.push({
          field: `${k}.type`,
          message: `condition "${c.type}" belongs to tag-based policies (Ranger's tag service defines it): it reads the expiry_date of the tag the policy matched`,
        });
      // Ranger reads the first value only; a list it would read differently from what it says is refused.
      if (c.values.length !== 1 || !EXPIRY_VALUES.includes(c.values[0]!.toLowerCase()))
        out.push({
          field: `${k}.values`,
          message: 'an accessed-after-expiry condition holds one value: "yes" (the tag\'s expiry_date has passed) or "no" (it has not)',
        });
      return;
    }
    if (c.type !== '_expression') {
      out.push({
        field: `${k}.type`,
        message: `condition "${c.type}" is not evaluated by Lakeplane: the hive service definition defines none, and of Ranger's implicit conditions only "_expression" is (tag-based policies also take "accessed-after-expiry"; see the README)`,
      });
      return;
    }
    if (c.values.length !== 1)
      return void out.push({ field: `${k}.values`, message: 'an _expression condition holds exactly one expression (Ranger reads only the first)' });
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

/**
 * Ranger's isAccessedAfter('expiry_date') on the current tag: true when the access is at or after the date, and also
 * when the tag has no expiry_date or one Ranger cannot read (a deny then holds: the data is treated as expired).
 */
function accessedAfterExpiry(ctx: ConditionContext): boolean {
  const value = ctx.tag?.attributes?.[EXPIRY_DATE_ATTRIBUTE];
  const expiry = value === undefined ? undefined : parseTagDate(value);
  return expiry === undefined || ctx.accessTime >= expiry;
}

function compileOne(c: PolicyCondition): CompiledConditions {
  if (c.type === EXPIRY_CONDITION) {
    const reverse = ['no', 'false'].includes(c.values[0]!.toLowerCase());
    return reverse ? (ctx) => !accessedAfterExpiry(ctx) : accessedAfterExpiry;
  }
  return compileExpression(c.values[0]!);
}

/** All conditions must hold (Ranger's evaluators are AND-ed). Only checked lists are compiled. */
export function compileConditions(list: readonly PolicyCondition[] | undefined): CompiledConditions {
  if (!list || list.length === 0) return ALWAYS;
  const tests = list.map(compileOne);
  return (ctx) => tests.every((t) => t(ctx));
}
