import { describe, expect, it } from 'vitest';
import { compileExpression, ConditionSyntaxError, type ConditionContext } from './condition-expression.js';

const ctx: ConditionContext = { user: 'alice', groups: ['analysts', 'emea'], roles: [], accessTime: Date.parse('2030-06-01T12:00:00Z') };
const holds = (text: string, c: Partial<ConditionContext> = {}) => compileExpression(text)({ ...ctx, ...c });

describe('Ranger _expression conditions, the subset Lakeplane evaluates', () => {
  it.each([
    ["IS_IN_GROUP('analysts')", true],
    ["ctx.isInGroup('hr')", false],
    ["IS_IN_ROLE('admin')", false],
    ['IS_IN_ANY_GROUP', true],
    ['IS_NOT_IN_ANY_GROUP', false],
    ['IS_NOT_IN_ANY_ROLE', true],
    ['ctx.isInAnyRole()', false],
    ["ctx.getUser() == 'alice'", true],
    ['ctx.getUser() !== "alice"', false],
    ["'alice' === ctx.getUser()", true],
    ["IS_IN_GROUP('hr') || (IS_IN_GROUP('emea') && !IS_IN_ROLE('contractor'));", true],
    ["!(IS_IN_GROUP('analysts'))", false],
    ['true && !false', true],
    ["IS_ACCESS_TIME_AFTER('2030/06/01 13:00:00', 'Europe/Berlin')", true], // 12:00 UTC is 14:00 in Berlin
    ["IS_ACCESS_TIME_BEFORE('2030/06/01 13:00', 'UTC')", true],
    ["ctx.isAccessTimeBetween('2030/06/01', '2030/06/02', 'Asia/Tokyo')", true],
    ["IS_ACCESS_TIME_BETWEEN('2030/06/01 12:00:00', '2030/06/01 13:00:00', 'UTC')", true],
    ["IS_ACCESS_TIME_BETWEEN('2030/06/01 11:00:00', '2030/06/01 12:00:00', 'UTC')", false],
    ["IS_ACCESS_TIME_AFTER('2030/06/01 12:00:00', 'UTC')", false],
  ] as const)('%s is %s', (text, expected) => {
    expect(holds(text)).toBe(expected);
  });

  it.each([
    ["USER.dept == 'sales'", /USER/],
    ["HAS_TAG('pii')", /HAS_TAG/],
    ["ctx.getClientIPAddress() == '10.0.0.1'", /getClientIPAddress/],
    ["IS_ACCESS_TIME_AFTER('2030/01/01')", /time zone/],
    ["IS_ACCESS_TIME_AFTER('2030-01-01', 'UTC')", /not a time/],
    ["IS_IN_GROUP('a', 'b')", /one argument/],
    ['IS_IN_ANY_GROUP()', /unexpected/],
    ["IS_IN_GROUP('a'", /expected "\)"/],
    ['ctx.getUser()', /compared/],
    ["'a' + 'b'", /not part/],
    ['', /empty/],
    ["IS_IN_GROUP('a'); IS_IN_GROUP('b')", /unexpected/],
  ] as const)('refuses %s', (text, why) => {
    expect(() => compileExpression(text)).toThrow(ConditionSyntaxError);
    expect(() => compileExpression(text)).toThrow(why);
  });
});
