import { describe, expect, it } from 'vitest';
import { renderStatement } from './parameters.js';

const render = (sql: string, parameters: Array<{ name: string; value?: string | null; type?: string }>) => renderStatement(sql, parameters);

describe('renderStatement', () => {
  it('replaces markers by typed literals, outside strings, identifiers, comments and ::', () => {
    expect(
      render('SELECT :a, \':a\', `:a`, "x:a" -- :a\n /* :a */ , x::int, :b', [
        { name: 'a', value: '5', type: 'BIGINT' },
        { name: 'b', value: 'hi' },
      ]),
    ).toEqual({
      sql: "SELECT 5L, ':a', `:a`, \"x:a\" -- :a\n /* :a */ , x::int, 'hi'",
    });
  });
  it('makes strings with quotes or backslashes UTF-8 bytes, so no value ends its literal', () => {
    expect(render('SELECT :s', [{ name: 's', value: "it's \\" }])).toEqual({ sql: `SELECT CAST(X'${Buffer.from("it's \\").toString('hex')}' AS STRING)` });
  });
  it('types: negative integers, decimals, dates, timestamps, booleans, nulls', () => {
    const r = render('SELECT :i, :d, :dt, :ts, :b, :n, :v', [
      { name: 'i', value: '-3', type: 'INT' },
      { name: 'd', value: '1.5', type: 'DECIMAL(4,2)' },
      { name: 'dt', value: '2024-02-29', type: 'DATE' },
      { name: 'ts', value: '2024-02-29 10:11:12.5', type: 'TIMESTAMP' },
      { name: 'b', value: 'TRUE', type: 'BOOLEAN' },
      { name: 'n', value: null, type: 'INT' },
      { name: 'v', type: 'VOID' },
    ]);
    expect(r).toEqual({ sql: "SELECT (-3), CAST('1.5' AS DECIMAL(4,2)), DATE'2024-02-29', TIMESTAMP'2024-02-29 10:11:12.5', TRUE, CAST(NULL AS INT), NULL" });
  });
  it('refuses values that do not fit their type', () => {
    expect(render('SELECT :d', [{ name: 'd', value: '123.4', type: 'DECIMAL(4,2)' }])).toMatchObject({
      problems: [{ field: 'parameters.0', message: expect.stringMatching(/does not fit DECIMAL\(4,2\)/) }],
    });
    expect(render('SELECT :t', [{ name: 't', value: '2024-01-01 25:00', type: 'TIMESTAMP' }])).toMatchObject({ problems: [{ field: 'parameters.0' }] });
  });
});
