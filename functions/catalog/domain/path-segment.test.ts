import { describe, expect, it } from 'vitest';
import { StorageRoot } from '../../../shared/storage/index.js';
import { pathSegment } from './identifiers.js';

describe('pathSegment', () => {
  const root = new StorageRoot('file:///wh');

  it.each(['..', '.', '...', 'a/b', '../../outside', 'a\\b', '..\\..', '%2e%2e', '%2F', 'my table', 'a😀', 'x\uD800y'])(
    'keeps %j one segment inside the warehouse',
    (name) => {
      const path = root.resolve(`file:///wh/${pathSegment(name)}/t`);
      expect(path.key.split('/')).toHaveLength(4);
    },
  );

  it('leaves ordinary names as they were', () => {
    expect(pathSegment('events_2024-01=x.y')).toBe('events_2024-01=x.y');
    expect(pathSegment('my table')).toBe('my%20table');
  });
});
