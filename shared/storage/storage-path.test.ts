import { describe, expect, it } from 'vitest';
import { LocationOutsideError, StoragePath, StorageRoot, UnsafeLocationError } from './storage-path.js';

describe('StorageRoot.resolve', () => {
  const file = new StorageRoot('file:///wh/demo');
  const s3 = new StorageRoot('s3://bucket/warehouse');

  it('accepts locations inside the root in every spelling, and says where they are', () => {
    expect(file.resolve('file:///wh/demo/ns/t/metadata/00000-a.metadata.json').key).toBe('/wh/demo/ns/t/metadata/00000-a.metadata.json');
    expect(file.resolve('file:/wh/demo/ns/t/').key).toBe('/wh/demo/ns/t');
    expect(file.resolve('file://localhost/wh/demo//ns').key).toBe('/wh/demo/ns');
    expect(file.resolve('file:///wh/demo/my%20table').key).toBe('/wh/demo/my table');
    expect(file.resolve('file:///wh/demo/a%252Fb').key).toBe('/wh/demo/a%2Fb');
    expect(file.resolve('file:///wh/demo').key).toBe('/wh/demo');
    const p = s3.resolve('s3a://bucket/warehouse/ns/my%20table/');
    expect([p.bucket, p.key]).toEqual(['bucket', 'warehouse/ns/my%20table']);
    expect(new StorageRoot('s3://bucket').resolve('s3://bucket/x/y').key).toBe('x/y');
  });

  it.each([
    'file:///wh/demo/../outside/x',
    'file:///wh/demo/ns/../../outside',
    'file:///wh/demo/%2e%2e/outside/x',
    'file:///wh/demo/%2E%2E/outside/x',
    'file:///wh/demo/.%2e/outside',
    'file:///wh/demo/./x',
    'file:///wh/demo/%2e/x',
    'file:///wh/demo/x%2F..%2F..%2Foutside',
    'file:///wh/demo/x%2f..',
    'file:///wh/demo/x%5C..%5Coutside',
    'file:///wh/demo/x\\..\\..\\outside',
    'file:///wh/demo/x\u0000y',
    'file:///wh/demo/x%00y',
    'file:///wh/demo/x%0Ay',
    'file:///wh/demo/x?/../../outside',
    'file:///wh/demo/x#/../outside',
    'file:///wh/demo/100%',
    'file:///wh/demo/%ff',
    'file:relative/path',
    'file://otherhost/wh/demo/x',
    's3://bucket/warehouse/../outside/x',
    's3://bucket/warehouse/%2e%2e/outside',
    's3://bucket/warehouse/a%2Fb',
    's3:///warehouse/x',
  ])('refuses %j as malformed, whatever the root', (location) => {
    const root = location.startsWith('s3') ? s3 : file;
    expect(() => root.resolve(location)).toThrow(UnsafeLocationError);
  });

  it.each([
    ['file:///wh/demo-evil/x', file],
    ['file:///wh/dem', file],
    ['file:///wh', file],
    ['file:///elsewhere', file],
    ['s3://bucket/warehouse/x', file],
    ['hdfs://nn/wh/demo/x', file],
    ['s3://bucket/warehouse-evil/x', s3],
    ['s3://other/warehouse/x', s3],
    ['s3://bucket//warehouse/x', s3],
    ['s3://bucket/Warehouse/x', s3],
    ['file:///warehouse/x', s3],
  ] as const)('refuses %s as outside the root', (location, root) => {
    expect(() => root.resolve(location)).toThrow(LocationOutsideError);
  });

  it('refuses a root that is malformed itself', () => {
    expect(() => new StorageRoot('file:///wh/../etc')).toThrow(UnsafeLocationError);
    expect(() => new StorageRoot('ftp://host/x')).toThrow(UnsafeLocationError);
  });

  it('contains() compares decoded segments, so /t1 holds /t1/x but not /t10', () => {
    const t1 = file.resolve('file:///wh/demo/t1');
    expect(t1.contains(file.resolve('file:/wh/demo/t%31/x'))).toBe(true);
    expect(t1.contains(file.resolve('file:///wh/demo/t10'))).toBe(false);
    expect(file.resolve('file:///wh/demo/t10').contains(t1)).toBe(false);
  });

  it('a StoragePath cannot be made without the check', () => {
    const Ctor = StoragePath as unknown as new (...args: unknown[]) => StoragePath;
    expect(() => new Ctor(Symbol('StoragePath'), 'file:///etc/passwd', 'file', '', '/etc/passwd', ['etc', 'passwd'])).toThrow();
  });
});
