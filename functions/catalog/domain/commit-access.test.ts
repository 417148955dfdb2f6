import { describe, expect, it } from 'vitest';
import { accessesForCommit } from './commit-access.js';

const snap = (operation?: string) => ({ action: 'add-snapshot', snapshot: { summary: operation ? { operation } : {} } });

describe('accessesForCommit', () => {
  it.each([
    ['append', ['insert']],
    ['overwrite', ['update']],
    ['delete', ['delete']],
    ['replace', ['alter']],
  ])('a %s snapshot with its branch move needs %j', (op, expected) => {
    expect(accessesForCommit([snap(op), { action: 'set-snapshot-ref' }])).toEqual(expected);
  });

  it('a snapshot of unknown operation needs update; a branch move alone needs update', () => {
    expect(accessesForCommit([snap()])).toEqual(['update']);
    expect(accessesForCommit([{ action: 'set-snapshot-ref' }])).toEqual(['update']);
  });

  it('schema, properties and other metadata changes need alter, together with the data access', () => {
    expect(accessesForCommit([{ action: 'add-schema' }, { action: 'set-current-schema' }])).toEqual(['alter']);
    expect(accessesForCommit([snap('append'), { action: 'set-properties' }])).toEqual(['alter', 'insert']);
    expect(accessesForCommit([])).toEqual(['alter']);
  });
});
