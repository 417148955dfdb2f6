import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors/index.js';
import { allTermsQuery, anyTermQuery, decodeSearchPageToken, encodeSearchPageToken, searchFingerprint, searchTerms } from './search-query.js';

describe('search terms', () => {
  it('split as the search documents are: punctuation, symbols, white space and camelCase', () => {
    expect(searchTerms('customer_id')).toEqual(['customer', 'id']);
    expect(searchTerms('customerId')).toEqual(['customer', 'id']);
    expect(searchTerms('CUSTOMER_ID')).toEqual(['customer', 'id']);
    expect(searchTerms('  sales.orders / e-mail + v2Table ')).toEqual(['sales', 'orders', 'e', 'mail', 'v2', 'table']);
    expect(searchTerms('Café   crème')).toEqual(['café', 'crème']);
    expect(searchTerms("it's")).toEqual(['it', 's']);
    expect(searchTerms('a a A')).toEqual(['a']);
    expect(searchTerms('*** --- ...')).toEqual([]);
  });

  it('make prefix tsqueries, quoted so no term is ever read as an operator', () => {
    expect(allTermsQuery(['cust', 'id'])).toBe("'cust':* & 'id':*");
    expect(anyTermQuery(['cust', 'id'], 'D')).toBe("'cust':*D | 'id':*D");
    expect(allTermsQuery(["o'brien", 'a\\b'])).toBe("'o''brien':* & 'a\\\\b':*");
  });
});

describe('search page tokens', () => {
  const f = searchFingerprint({ q: 'x', kinds: ['table'] });
  it('round-trip the cursor, and only for the search they were issued for', () => {
    const token = encodeSearchPageToken(f, { score: '0.607927', key: 'wh\u001fsales', uid: 'o:1' });
    expect(decodeSearchPageToken(token, f)).toEqual({ score: '0.607927', key: 'wh\u001fsales', uid: 'o:1' });
    expect(() => decodeSearchPageToken(token, searchFingerprint({ q: 'y', kinds: ['table'] }))).toThrow(/other parameters/);
  });
  it('refuse anything else as a validation error of pageToken', () => {
    for (const bad of ['garbage', Buffer.from('{"v":1,"f":"x","s":"1; drop","k":"","u":""}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      try {
        decodeSearchPageToken(bad, f);
        expect.unreachable(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).errors[0]).toMatchObject({ in: 'query', field: 'pageToken' });
      }
    }
  });
});
