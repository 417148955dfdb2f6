import type { ResourceTag } from './tag-attributes.js';
import { isKnownTimeZone, wallTimeToInstant } from './zoned-time.js';

/**
 * Ranger's `_expression` condition (RangerScriptConditionEvaluator: the boolean JavaScript expression Ranger's admin
 * adds to every service definition, the hive one included), for the part of it Lakeplane can evaluate exactly as a
 * Ranger plugin does. The text is parsed here, never run: a form outside this subset is refused when the policy is
 * written, so no condition is ever ignored or guessed at.
 *
 *   expression  := or [';']
 *   or          := and ('||' and)*
 *   and         := not ('&&' not)*
 *   not         := '!' not | '(' or ')' | 'true' | 'false' | test | text ('==' | '===' | '!=' | '!==') text
 *   text        := 'string' | "string" | ctx.getUser()
 *   test        := IS_IN_GROUP(s) | IS_IN_ROLE(s) | IS_IN_ANY_GROUP | IS_NOT_IN_ANY_GROUP | IS_IN_ANY_ROLE
 *                | IS_NOT_IN_ANY_ROLE | IS_ACCESS_TIME_AFTER(t, zone) | IS_ACCESS_TIME_BEFORE(t, zone)
 *                | IS_ACCESS_TIME_BETWEEN(from, to, zone), or the same as ctx.isInGroup(s), ctx.isInRole(s),
 *                  ctx.isInAnyGroup(), ctx.isInAnyRole(), ctx.isAccessTimeAfter(t, zone), ...
 *
 * Times are "yyyy/MM/dd[ HH:mm[:ss]]"; the zone is required (without it a plugin reads the time in its JVM's zone).
 * After is strictly after, before strictly before, between includes its start and excludes its end, as Ranger's
 * RangerTimeRangeChecker. Groups and roles are the requester's own (the group `public` is not one of them).
 */

export interface ConditionContext {
  readonly user: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** Epoch ms. */
  readonly accessTime: number;
  /** A tag-based policy's item: the object's tag the policy matched (Ranger's current tag), whose attributes it reads. */
  readonly tag?: ResourceTag | undefined;
}

export type CompiledExpression = (ctx: ConditionContext) => boolean;

export class ConditionSyntaxError extends Error {}

type Token = { kind: 'id' | 'str' | 'op'; text: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push({ kind: 'id', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= src.length) throw new ConditionSyntaxError(`a string opened at ${i + 1} is not closed`);
        const d = src[j]!;
        if (d === c) break;
        if (d === '\n' || d === '\r') throw new ConditionSyntaxError(`a string opened at ${i + 1} runs past the end of the line`);
        if (d === '\\') {
          const e = src[j + 1];
          if (e !== '\\' && e !== "'" && e !== '"') throw new ConditionSyntaxError(`only \\\\, \\' and \\" are escapes in strings (at ${j + 1})`);
          text += e;
          j += 2;
          continue;
        }
        text += d;
        j++;
      }
      out.push({ kind: 'str', text, at: i });
      i = j + 1;
      continue;
    }
    const op = ['===', '!==', '==', '!=', '&&', '||', '!', '(', ')', ',', '.', ';'].find((o) => src.startsWith(o, i));
    if (!op) throw new ConditionSyntaxError(`"${c}" at ${i + 1} is not part of the expressions Lakeplane evaluates`);
    out.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  return out;
}

type Node = (ctx: ConditionContext) => boolean;
type TextNode = (ctx: ConditionContext) => string;

const TIME = { after: 1, before: 1, between: 2 } as const;

/** Tests by their ctx method name; macros map onto them as Ranger's macro processor expands them. */
const MACROS: Record<string, { method: string; bare: boolean; negate?: boolean }> = {
  IS_IN_GROUP: { method: 'isInGroup', bare: false },
  IS_IN_ROLE: { method: 'isInRole', bare: false },
  IS_IN_ANY_GROUP: { method: 'isInAnyGroup', bare: true },
  IS_IN_ANY_ROLE: { method: 'isInAnyRole', bare: true },
  IS_NOT_IN_ANY_GROUP: { method: 'isInAnyGroup', bare: true, negate: true },
  IS_NOT_IN_ANY_ROLE: { method: 'isInAnyRole', bare: true, negate: true },
  IS_ACCESS_TIME_AFTER: { method: 'isAccessTimeAfter', bare: false },
  IS_ACCESS_TIME_BEFORE: { method: 'isAccessTimeBefore', bare: false },
  IS_ACCESS_TIME_BETWEEN: { method: 'isAccessTimeBetween', bare: false },
};

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private where(t: Token | undefined): string {
    return t ? `"${t.text}" at ${t.at + 1}` : 'the end';
  }

  private take(text: string): boolean {
    const t = this.peek();
    if (t && t.kind === 'op' && t.text === text) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    if (!this.take(text)) throw new ConditionSyntaxError(`expected "${text}" but found ${this.where(this.peek())}`);
  }

  parse(): Node {
    const node = this.or();
    this.take(';');
    if (this.peek()) throw new ConditionSyntaxError(`unexpected ${this.where(this.peek())}`);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.take('||')) {
      const l = left;
      const r = this.and();
      left = (ctx) => l(ctx) || r(ctx);
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.take('&&')) {
      const l = left;
      const r = this.not();
      left = (ctx) => l(ctx) && r(ctx);
    }
    return left;
  }

  private not(): Node {
    if (this.take('!')) {
      const inner = this.not();
      return (ctx) => !inner(ctx);
    }
    if (this.take('(')) {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    const t = this.peek();
    if (t?.kind === 'id' && (t.text === 'true' || t.text === 'false')) {
      this.i++;
      const value = t.text === 'true';
      return () => value;
    }
    const text = this.text();
    if (text) return this.comparison(text);
    return this.test();
  }

  private text(): TextNode | undefined {
    const t = this.peek();
    if (t?.kind === 'str') {
      this.i++;
      return () => t.text;
    }
    const dot = this.tokens[this.i + 1];
    const next = this.tokens[this.i + 2];
    if (t?.kind === 'id' && t.text === 'ctx' && dot?.text === '.' && next?.kind === 'id' && next.text === 'getUser') {
      this.i += 3;
      this.expect('(');
      this.expect(')');
      return (ctx) => ctx.user;
    }
    return undefined;
  }

  private comparison(left: TextNode): Node {
    const op = this.peek();
    if (!op || op.kind !== 'op' || !['==', '===', '!=', '!=='].includes(op.text))
      throw new ConditionSyntaxError(`a string or ctx.getUser() must be compared with ==, ===, != or !==; found ${this.where(op)}`);
    this.i++;
    const right = this.text();
    if (!right) throw new ConditionSyntaxError(`expected a string or ctx.getUser() after ${op.text}, found ${this.where(this.peek())}`);
    const equal = op.text === '==' || op.text === '===';
    return (ctx) => (left(ctx) === right(ctx)) === equal;
  }

  private test(): Node {
    const t = this.peek();
    if (!t || t.kind !== 'id') throw new ConditionSyntaxError(`expected a condition but found ${this.where(t)}`);
    this.i++;
    let method: string;
    let negate = false;
    if (t.text === 'ctx') {
      this.expect('.');
      const m = this.peek();
      if (!m || m.kind !== 'id') throw new ConditionSyntaxError(`expected a method of ctx but found ${this.where(m)}`);
      this.i++;
      method = m.text;
      if (!Object.values(MACROS).some((x) => x.method === method))
        throw new ConditionSyntaxError(
          `ctx.${method} is not among the tests Lakeplane evaluates (isInGroup, isInRole, isInAnyGroup, isInAnyRole, isAccessTimeAfter, isAccessTimeBefore, isAccessTimeBetween; getUser() in a comparison)`,
        );
    } else {
      const macro = MACROS[t.text];
      if (!macro)
        throw new ConditionSyntaxError(
          `${t.text} at ${t.at + 1} is not among the forms Lakeplane evaluates (IS_IN_GROUP, IS_IN_ROLE, IS_IN_ANY_GROUP, IS_NOT_IN_ANY_GROUP, IS_IN_ANY_ROLE, IS_NOT_IN_ANY_ROLE, IS_ACCESS_TIME_AFTER/BEFORE/BETWEEN, their ctx methods, ctx.getUser() comparisons)`,
        );
      method = macro.method;
      negate = macro.negate ?? false;
      // A bare macro expands to a call (IS_IN_ANY_GROUP is ctx.isInAnyGroup()): it takes no parentheses of its own.
      if (macro.bare) return this.build(method, [], negate, t);
    }
    this.expect('(');
    const args: string[] = [];
    if (!this.take(')')) {
      do {
        const a = this.peek();
        if (!a || a.kind !== 'str') throw new ConditionSyntaxError(`arguments are strings; found ${this.where(a)}`);
        this.i++;
        args.push(a.text);
      } while (this.take(','));
      this.expect(')');
    }
    return this.build(method, args, negate, t);
  }

  private build(method: string, args: string[], negate: boolean, at: Token): Node {
    const node = buildTest(method, args, `${at.text} at ${at.at + 1}`);
    return negate ? (ctx) => !node(ctx) : node;
  }
}

function buildTest(method: string, args: string[], where: string): Node {
  const arity = (n: number) => {
    if (args.length !== n) throw new ConditionSyntaxError(`${where} takes ${n === 0 ? 'no arguments' : n === 1 ? 'one argument' : `${n} arguments`}`);
  };
  switch (method) {
    case 'isInGroup': {
      arity(1);
      const g = args[0]!;
      return (ctx) => ctx.groups.includes(g);
    }
    case 'isInRole': {
      arity(1);
      const r = args[0]!;
      return (ctx) => ctx.roles.includes(r);
    }
    case 'isInAnyGroup':
      arity(0);
      return (ctx) => ctx.groups.length > 0;
    case 'isInAnyRole':
      arity(0);
      return (ctx) => ctx.roles.length > 0;
    case 'isAccessTimeAfter':
    case 'isAccessTimeBefore':
    case 'isAccessTimeBetween': {
      const kind = method === 'isAccessTimeAfter' ? 'after' : method === 'isAccessTimeBefore' ? 'before' : 'between';
      const times = TIME[kind];
      if (args.length === times)
        throw new ConditionSyntaxError(`${where} needs a time zone as its last argument: without one a Ranger plugin reads the time in its own JVM's zone`);
      arity(times + 1);
      const zone = args[times]!;
      if (!isKnownTimeZone(zone)) throw new ConditionSyntaxError(`${where}: "${zone}" is not a known time zone`);
      const instants = args.slice(0, times).map((text) => {
        const at = wallTimeToInstant(text, zone, true);
        if (at === undefined)
          throw new ConditionSyntaxError(`${where}: "${text}" is not a time in the form yyyy/MM/dd HH:mm:ss (or yyyy/MM/dd HH:mm, yyyy/MM/dd)`);
        return at;
      });
      const [a, b] = instants as [number, number | undefined];
      if (kind === 'after') return (ctx) => ctx.accessTime > a;
      if (kind === 'before') return (ctx) => ctx.accessTime < a;
      return (ctx) => ctx.accessTime >= a && ctx.accessTime < b!;
    }
    default:
      throw new ConditionSyntaxError(`${where} is not evaluated`);
  }
}

/** The expression as a function of the request, or a ConditionSyntaxError saying what is outside the subset. */
export function compileExpression(text: string): CompiledExpression {
  if (text.trim() === '') throw new ConditionSyntaxError('the expression is empty');
  return new Parser(tokenize(text)).parse();
}
