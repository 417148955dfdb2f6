import { describe, expect, it } from 'vitest';
import { compileUrlValues, normalizeUrl, urlValueProblem } from './url-match.js';

/** Rows of Ranger's RangerURLResourceMatcherTest (wildcards on, as the hive service has them) whose resources are normalized. */
const ranger: Array<[string, string, boolean, boolean]> = [
  ['hdfs://hostname:8020/app/warehouse/data/emp.db', 'hdfs://hostname:8020/app/warehouse/*', true, true],
  ['hdfs://hostname:8020/app/warehouse/data/emp.db', 'hdfs://hostname:8020/*', true, true],
  ['hdfs://hostname:8020/app/warehouse/data/emp.db', 'hdfs://hostname:8020/app/*', false, true],
  ['hdfs://hostname:8020/app/warehouse/data/emp.db', 'hdfs://hostname:8020/app/', true, true],
  ['s3a://app/warehouse/data/emp.db', 's3a://app/*', true, true],
  ['hdfs:///app/warehouse/data/emp.db', 'hdfs:///app/warehouse/*', true, true],
  ['file:///etc/ranger/data.txt', 'file:///etc/ranger/*', true, true],
  ['hdfs:///app/warehouse/data/emp.db', 'hdfs:///other/*', true, false],
  ['hdfs:///app/warehouse/data/emp.db', 'hdfs://app/warehouse/*', true, false],
  ['hdfs://app/warehouse/data/emp.db', 'hdfs:///app/warehouse/*', true, false],
];

describe("url resources, matched as Ranger's hive service matches them", () => {
  it.each(ranger)('%s against %s (recursive %s): %s', (url, value, recursive, expected) => {
    expect(compileUrlValues([value], recursive)(url)).toBe(expected);
  });

  it.each([
    ['s3://lake/raw', false, 's3://lake/raw', true],
    ['s3://lake/raw', false, 's3://lake/raw/x', false],
    ['s3://lake/raw', true, 's3://lake/raw/x/y', true],
    ['s3://lake/raw', true, 's3://lake/raw', true],
    ['s3://lake/raw', true, 's3://lake/raw2', false],
    ['s3://lake/raw/', true, 's3://lake/raw', false], // read as s3://lake/raw/*: below it, not itself (Ranger's)
    ['s3://lake/raw/', true, 's3://lake/raw/', true],
    ['s3://lake/r?w', false, 's3://lake/raw', true],
    ['s3://lake/*.parquet', false, 's3://lake/a/b.parquet', true], // * crosses levels
    ['s3://lake/RAW', false, 's3://lake/raw', false], // case-sensitive
    ['*', false, 'gs://anything/at/all', true],
  ] as const)('%s (recursive %s) on %s: %s', (value, recursive, url, expected) => {
    expect(compileUrlValues([value], recursive)(url)).toBe(expected);
  });

  it.each([
    ['S3://lake/raw/./a/../b', 's3://lake/raw/b'],
    ['s3://lake//raw///x', 's3://lake/raw/x'],
    ['s3://lake/raw/%2e%2e/secret', 's3://lake/secret'],
    ['s3://lake/a%20b/c', 's3://lake/a b/c'],
    ['s3://lake/dir/', 's3://lake/dir/'],
    ['s3://lake/dir/sub/..', 's3://lake/dir/'],
    ['file:///tmp/x', 'file:///tmp/x'],
    ['s3://lake', 's3://lake'],
  ])('normalizes %s to %s', (text, url) => {
    expect(normalizeUrl(text)).toEqual({ url });
  });

  it.each([
    ['s3://lake/../etc'],
    ['s3://lake/a%2Fb'],
    ['s3://lake/%zz'],
    ['/tmp/x'],
    ['s3:/lake/x'],
    ['s3://lake/x?y=1'],
    ['s3://lake/a b'],
    ['s3://lake/%00'],
  ])('refuses %s', (text) => {
    expect(normalizeUrl(text)).toHaveProperty('problem');
  });

  it.each([
    ['s3://lake/raw/*', undefined],
    ['*', undefined],
    ['S3://lake', 'lower-case'],
    ['/tmp', 'absolute'],
    ['s3://lake/a/../b', 'normalized'],
    ['s3://lake//b', 'normalized'],
    ['s3://lake/home/{USER}', '{USER}'],
  ])('policy value %s', (value, why) => {
    const problem = urlValueProblem(value);
    if (why === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(why);
  });
});
