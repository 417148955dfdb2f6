import { describe, expect, it } from 'vitest';
import { catalogObject, resourceText } from '../../../shared/policy/index.js';
import { annotationUpdate, checkAnnotationChange, nextTags } from './annotations.js';

describe('annotation changes', () => {
  it('must change something, and either replace tags or edit them', () => {
    expect(() => checkAnnotationChange({ version: 3 }, ['description'])).toThrow(/at least one of description/);
    expect(() => checkAnnotationChange({ tags: [], addTags: ['a'] }, [])).toThrow(/cannot be combined/);
    expect(() => checkAnnotationChange({ addTags: ['a'], removeTags: ['a'] }, [])).toThrow(/cannot also be removed: a/);
    expect(() => checkAnnotationChange({ owner: null }, [])).not.toThrow();
  });
  it('edit tags in order, without repeats, up to 50', () => {
    expect(nextTags(['a', 'b'], { tags: ['z'] })).toEqual(['z']);
    expect(nextTags(['a', 'b', 'c'], { addTags: ['d', 'a'], removeTags: ['b'] })).toEqual(['a', 'c', 'd']);
    expect(nextTags(['a'], { description: 'x' })).toEqual(['a']);
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`);
    expect(() => nextTags(fifty, { addTags: ['x'] })).toThrow(/at most 50/);
  });
  it('name a column resource under its table, with dots and slashes encoded, as the audit trail and the control policies read it', () => {
    expect(resourceText(catalogObject('wh', ['a.b', 'c'], 't/1', 'x.y'))).toBe('catalog/wh/a%2Eb.c/t%2F1/x%2Ey');
  });
  it('update only what the change names, tags applied to the current ones', () => {
    expect(annotationUpdate({ description: null }, { tags: ['a'], tag_attributes: {} })).toEqual({ description: null });
    expect(annotationUpdate({ owner: 'o', addTags: ['b'] }, { tags: ['a'], tag_attributes: { a: { k: 'v' } } })).toEqual({
      owner: 'o',
      tags: { tags: ['a', 'b'], attributes: { a: { k: 'v' } } },
    });
    expect(annotationUpdate({ removeTags: ['a'] }, { tags: ['a'], tag_attributes: { a: { k: 'v' } } })).toEqual({ tags: { tags: [], attributes: {} } });
  });
});
