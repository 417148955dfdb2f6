import { describe, expect, it } from 'vitest';
import { matchesPartitionFilter, parsePartitionFilter, PartitionFilterError } from './partition-filter.js';

const keys = [
  { name: 'day', type: 'string' },
  { name: 'hour', type: 'int' },
  { name: 'region', type: 'string' },
];
const partitions = [
  ['2026-01-01', '3', 'eu-west'],
  ['2026-01-02', '10', 'eu-north'],
  ['2026-01-02', '9', 'us-east'],
  ['2026-01-03', '23', 'ap-south'],
];

/** The partitions (as day/hour/region) a filter selects. */
function select(filter: string): string[] {
  const node = parsePartitionFilter(filter, keys);
  return partitions.filter((p) => matchesPartitionFilter(node, keys, p)).map((p) => p.join('/'));
}

describe("Hive's partition filter", () => {
  it("reads what Spark's Hive client sends for pruning", () => {
    // Recorded from Spark 3.5 (test/metastore/recorded): a string equality in double quotes.
    expect(select('day = "2026-01-02"')).toEqual(['2026-01-02/10/eu-north', '2026-01-02/9/us-east']);
    expect(select('(day = "2026-01-02") and (hour >= 10)')).toEqual(['2026-01-02/10/eu-north']);
  });

  it('compares an integral key as a number and a string key as a string', () => {
    // As numbers 9 < 10; as strings "9" > "10".
    expect(select('hour < 10')).toEqual(['2026-01-01/3/eu-west', '2026-01-02/9/us-east']);
    expect(select('10 > hour')).toEqual(['2026-01-01/3/eu-west', '2026-01-02/9/us-east']);
    expect(select("day >= '2026-01-02' AND day < '2026-01-03'")).toEqual(['2026-01-02/10/eu-north', '2026-01-02/9/us-east']);
  });

  it('takes OR, NOT IN, BETWEEN, LIKE (a regular expression), <>, DATE and multi-column IN', () => {
    expect(select('hour = 3 or region = "ap-south"')).toEqual(['2026-01-01/3/eu-west', '2026-01-03/23/ap-south']);
    expect(select('region not in ("eu-west", "eu-north")')).toEqual(['2026-01-02/9/us-east', '2026-01-03/23/ap-south']);
    expect(select('hour between 9 and 10')).toEqual(['2026-01-02/10/eu-north', '2026-01-02/9/us-east']);
    expect(select('region like "eu.*"')).toEqual(['2026-01-01/3/eu-west', '2026-01-02/10/eu-north']);
    expect(select('region <> "eu-west" and hour != 9')).toEqual(['2026-01-02/10/eu-north', '2026-01-03/23/ap-south']);
    expect(select("day = date '2026-01-03'")).toEqual(['2026-01-03/23/ap-south']);
    expect(select('(day, hour) in (("2026-01-02", 9), ("2026-01-01", 3))')).toEqual(['2026-01-01/3/eu-west', '2026-01-02/9/us-east']);
  });

  it('refuses, saying where, what does not parse or names no partition key', () => {
    const refused = (filter: string) => {
      try {
        parsePartitionFilter(filter, keys);
      } catch (e) {
        expect(e).toBeInstanceOf(PartitionFilterError);
        return (e as Error).message;
      }
      throw new Error(`${filter} was accepted`);
    };
    expect(refused('')).toBe('the filter is empty');
    expect(refused('day = ')).toBe('expected a value at the end of the filter');
    expect(refused('month = "01"')).toBe("'month' at position 0 is not a partition key (day, hour, region)");
    expect(refused('day = "x" hour = 3')).toBe("unexpected 'hour' at position 10");
    expect(refused('day = "unterminated')).toBe('unterminated string starting at position 6');
    expect(refused('region like "eu[("')).toBe("LIKE on 'region': 'eu[(' is not a regular expression");
    expect(refused('(day, hour) in (("a"))')).toBe('a row of 1 values for 2 keys');
  });
});
