import { describe, expect, it } from 'vitest';
import { parseTagDate, resourceTags, tagAttributeMapProblems } from './tag-attributes.js';

describe('tag attribute dates, as Ranger plugins read them (UTC)', () => {
  it.each([
    ['2026/01/01', Date.UTC(2026, 0, 1)],
    ['2026/1/5', Date.UTC(2026, 0, 5)],
    ['2024/02/29', Date.UTC(2024, 1, 29)],
    ['2026-01-01T12:30:15.250Z', Date.UTC(2026, 0, 1, 12, 30, 15, 250)],
  ])('%s', (text, at) => expect(parseTagDate(text)).toBe(at));

  it.each([
    '',
    '2026-01-01',
    '2026/13/01',
    '2025/02/29',
    '2026/04/31',
    '2026/01/01 10:00',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T12:00:00Z',
    ' 2026/01/01',
    '26/01/01',
  ])('refuses %j', (text) => expect(parseTagDate(text)).toBeUndefined());
});

describe('tags with attributes', () => {
  it('pairs names with their attributes; a name without any has none', () => {
    expect(resourceTags(['EXPIRES_ON', 'PII'], { EXPIRES_ON: { expiry_date: '2026/01/01' }, PII: {} })).toEqual([
      { name: 'EXPIRES_ON', attributes: { expiry_date: '2026/01/01' } },
      { name: 'PII' },
    ]);
    expect(resourceTags(['toString'], {})).toEqual([{ name: 'toString' }]);
  });

  it('names every problem of an attribute map given with tags', () => {
    expect(tagAttributeMapProblems(['EXPIRES_ON'], { EXPIRES_ON: { expiry_date: 'soon' }, PII: {} }).map((p) => p.field)).toEqual([
      'EXPIRES_ON.expiry_date',
      'PII',
    ]);
  });
});
