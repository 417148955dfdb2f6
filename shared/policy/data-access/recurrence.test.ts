import { describe, expect, it } from 'vitest';
import type { ValiditySchedule } from './policy-schema.js';
import { compileValidity, isValidAt, recurrenceProblemsOf } from './validity.js';

/**
 * Ranger's own cases for recurring validity schedules (agents-common/src/test/resources/policyengine/validityscheduler/
 * test-validity-schedules-valid*.json, run by TestPolicyEngine with the JVM's zone set to PST), restated: our schedules
 * read every field in the schedule's zone, so a schedule that names none is read here in America/Los_Angeles.
 */
type Fields = { minute: string; hour: string; dayOfMonth?: string; dayOfWeek?: string; month: string; year: string };
const rec = (schedule: Fields, interval: { days?: number; hours?: number; minutes?: number }) => ({ schedule, interval });
const schedule = (start: string, end: string | undefined, recurrences: ReturnType<typeof rec>[], timeZone = 'America/Los_Angeles'): ValiditySchedule => ({
  start,
  ...(end ? { end } : {}),
  timeZone,
  recurrences,
});

const cases: Array<[string, ValiditySchedule, string, boolean]> = [
  [
    'non-repeating: 10 minutes from minute 30 of every hour',
    schedule('2018/01/12 14:32:00', '2018/02/03 12:16:00', [
      rec({ minute: '30', hour: '*', dayOfMonth: '*', dayOfWeek: '5, 7', month: '*', year: '2018' }, { minutes: 10 }),
    ]),
    '2018-01-13T14:32:27-08:00',
    true,
  ],
  [
    '9 minutes in every 10',
    schedule('2018/01/12 14:32:00', '2018/02/03 12:16:00', [
      rec({ minute: '0, 10, 20, 30, 40, 50', hour: '*', dayOfMonth: '*', dayOfWeek: '5, 7', month: '*', year: '2018' }, { minutes: 9 }),
    ]),
    '2018-01-12T14:32:27-08:00',
    true,
  ],
  [
    'Wednesday, Saturday or the 1st at 12:10 for 2 days 10 hours',
    schedule('2018/01/12 14:32:00', '2018/02/03 12:16:00', [
      rec({ minute: '10', hour: '12', dayOfMonth: '1', dayOfWeek: '4, 7', month: '*', year: '2018' }, { days: 2, hours: 10 }),
    ]),
    '2018-01-15T19:32:27-08:00',
    true,
  ],
  [
    '00:59 for a day and 2 minutes, reached back over a month',
    schedule('2017/01/12 14:32:00', '2018/02/03 12:16:00', [
      rec({ minute: '59', hour: '0', dayOfMonth: '1', dayOfWeek: '4, 7', month: '*', year: '2017-2018' }, { days: 1, minutes: 2 }),
    ]),
    '2018-01-02T01:00:00-08:00',
    true,
  ],
  [
    'every 31st at noon for a day, in a month without one',
    schedule('2018/01/01 00:00:00', '2050/02/03 12:16:00', [
      rec({ minute: '0', hour: '12', dayOfMonth: '31', dayOfWeek: '*', month: '*', year: '2017-2018' }, { days: 1 }),
    ]),
    '2018-03-01T00:00:00-08:00',
    true,
  ],
  [
    'an interval longer than the schedule: outside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '0', hour: '12', dayOfMonth: '1', dayOfWeek: '2, 3', month: '*', year: '*' }, { days: 1, hours: 23, minutes: 59 }),
    ]),
    '2018-03-04T14:40:00-08:00',
    false,
  ],
  [
    'an interval longer than the schedule: inside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '0', hour: '12', dayOfMonth: '1', dayOfWeek: '2, 3', month: '*', year: '*' }, { days: 1, hours: 23, minutes: 59 }),
    ]),
    '2018-03-03T10:40:00-08:00',
    true,
  ],
  [
    'dayOfWeek only: inside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '45, 30, 1, 14', hour: '0,20, 21', dayOfMonth: '', dayOfWeek: '1', month: '12, 1-2', year: '2018' }, { hours: 5 }),
    ]),
    '2018-01-14T04:32:27-08:00',
    true,
  ],
  [
    'dayOfWeek only: outside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '45, 30, 1, 14', hour: '0,20, 21', dayOfMonth: '', dayOfWeek: '1', month: '12, 1-2', year: '2018' }, { hours: 5 }),
    ]),
    '2018-01-19T04:32:27-08:00',
    false,
  ],
  [
    'dayOfMonth only: inside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '45, 30, 1, 14', hour: '0,20, 21', dayOfMonth: '15, 20', dayOfWeek: '', month: '12, 1-2', year: '2018' }, { days: 5 }),
    ]),
    '2018-01-19T04:32:27-08:00',
    true,
  ],
  [
    'dayOfMonth only: outside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '45, 30, 1, 14', hour: '0,20, 21', dayOfMonth: '15, 20', dayOfWeek: '', month: '12, 1-2', year: '2018' }, { days: 3 }),
    ]),
    '2018-01-19T04:32:27-08:00',
    false,
  ],
  [
    'the 31st or Thursdays: outside',
    schedule('2018/01/01 00:00:00', '2020/02/03 12:16:00', [
      rec({ minute: '0', hour: '12', dayOfMonth: '31', dayOfWeek: '5', month: '*', year: '2017-2018' }, { days: 1 }),
    ]),
    '2018-03-01T00:00:00-08:00',
    false,
  ],
  [
    'the 31st or Thursdays: inside',
    schedule('2018/01/01 00:00:00', '2050/02/03 12:16:00', [
      rec({ minute: '0', hour: '12', dayOfMonth: '31', dayOfWeek: '5', month: '*', year: '2017-2018' }, { days: 1 }),
    ]),
    '2018-02-16T00:00:00-08:00',
    true,
  ],
  [
    'February 29th',
    schedule('2020/01/01 00:00:00', '2050/02/03 12:16:00', [
      rec({ minute: '0', hour: '*', dayOfMonth: '29', dayOfWeek: '', month: '2', year: '2020-2026' }, { days: 1 }),
    ]),
    '2020-03-01T00:00:00-08:00',
    true,
  ],
  [
    'not March 29th on March 1st',
    schedule('2020/01/01 00:00:00', '2050/02/03 12:16:00', [
      rec({ minute: '0', hour: '*', dayOfMonth: '29', dayOfWeek: '', month: '3', year: '2020-2026' }, { days: 1 }),
    ]),
    '2020-03-01T00:00:00-08:00',
    false,
  ],
  [
    'February 29th in Asia/Kolkata',
    schedule(
      '2020/01/01 00:00:00',
      '2050/02/03 12:16:00',
      [rec({ minute: '0', hour: '*', dayOfMonth: '29', dayOfWeek: '', month: '2', year: '2020-2026' }, { days: 1 })],
      'Asia/Kolkata',
    ),
    '2020-02-29T23:30:00-08:00',
    true,
  ],
  ['not yet started, no recurrences, GMT', { start: '2020/01/01 00:00:00', end: '2050/02/03 12:16:00', timeZone: 'GMT' }, '2019-12-31T16:00:00-07:00', false],
  [
    'minutes 59, 15, 30: outside',
    schedule('2018/01/12 14:32:00', '2020/01/12 14:32:00', [
      rec({ minute: '59, 15, 30', hour: '*', dayOfMonth: '*', dayOfWeek: '*', month: '*', year: '2018-2020' }, { minutes: 10 }),
    ]),
    '2018-02-12T14:26:00-08:00',
    false,
  ],
  [
    'before the start',
    schedule('2018/01/12 14:32:00', '2020/01/12 14:32:00', [
      rec({ minute: '3', hour: '10, 21', dayOfMonth: '*', dayOfWeek: '*', month: '*', year: '2018-2020' }, { hours: 2 }),
    ]),
    '2017-01-12T14:26:27-08:00',
    false,
  ],
  [
    'dayOfMonth 12: outside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '45, 30, 1, 14', hour: '0,20, 21', dayOfMonth: '12', dayOfWeek: '', month: '12, 1-2', year: '2018' }, { minutes: 10 }),
    ]),
    '2018-01-12T18:32:27-08:00',
    false,
  ],
  [
    'dayOfWeek 1: outside',
    schedule('2018/01/12 14:32:00', '2020/01/23 06:30:00', [
      rec({ minute: '45, 30, 1, 14', hour: '0,20, 21', dayOfMonth: '', dayOfWeek: '1', month: '12, 1-2', year: '2018' }, { minutes: 10 }),
    ]),
    '2018-01-12T18:32:27-08:00',
    false,
  ],
];

describe('recurring validity schedules, as Ranger evaluates them', () => {
  it.each(cases)('%s', (_name, s, accessTime, applicable) => {
    expect(recurrenceProblemsOf(s)).toEqual([]);
    expect(isValidAt(compileValidity([s]), Date.parse(accessTime))).toBe(applicable);
  });

  it("keeps Ranger's field-by-field search: minutes 0,30 at 9 o'clock, asked at 10:15, opened at 9:00", () => {
    const s = schedule('2026/01/01 00:00:00', undefined, [rec({ minute: '0,30', hour: '9', dayOfWeek: '*', month: '*', year: '*' }, { hours: 1 })], 'UTC');
    expect(isValidAt(compileValidity([s]), Date.parse('2026-03-02T10:00:00Z'))).toBe(true);
    expect(isValidAt(compileValidity([s]), Date.parse('2026-03-02T10:15:00Z'))).toBe(false);
  });

  it('a window across midnight by dayOfWeek reaches back to the day before', () => {
    const nightly = schedule(
      '2026/01/01 00:00:00',
      undefined,
      [rec({ minute: '0', hour: '22', dayOfWeek: '*', month: '*', year: '*' }, { hours: 8 })],
      'Europe/Berlin',
    );
    const w = compileValidity([nightly]);
    expect(isValidAt(w, Date.parse('2026-03-03T00:30:00Z'))).toBe(true); // 01:30 in Berlin
    expect(isValidAt(w, Date.parse('2026-03-03T06:30:00Z'))).toBe(false); // 07:30 in Berlin
    expect(isValidAt(w, Date.parse('2026-03-02T21:00:00Z'))).toBe(true); // 22:00 in Berlin
  });

  it.each([
    [
      'invalid characters everywhere',
      { minute: 'MINUTE', hour: 'HOUR', dayOfMonth: 'DAYOFMONTH', dayOfWeek: 'DAYOFWEEK', month: 'MONTH', year: 'YEAR' },
      { days: 10, hours: 5, minutes: 5 },
      ['minute', 'hour', 'dayOfMonth', 'dayOfWeek', 'month', 'year'],
    ],
    [
      '* for minutes, and symbols',
      { minute: '*', hour: '@', dayOfMonth: '!', dayOfWeek: '#', month: '%', year: '^&()' },
      { minutes: 10 },
      ['minute', 'hour', 'dayOfMonth', 'dayOfWeek', 'month', 'year'],
    ],
    [
      'a backward range and a weekday 0',
      { minute: '1,10,5', hour: '0-3, 1-4, 9-8,20, 21', dayOfMonth: '1-14, 15,31', dayOfWeek: '0,4, 6', month: '12, 1-2', year: '2018' },
      { minutes: 10 },
      ['hour', 'dayOfWeek'],
    ],
    ['overlapping ranges', { minute: '0', hour: '0-3, 2-4', dayOfMonth: '*', month: '*', year: '2018' }, { minutes: 10 }, ['hour']],
    [
      'no day at all',
      { minute: '45, 30, 1, 14', hour: '*, 0,20, 21', dayOfMonth: '', dayOfWeek: '', month: '12, 1-2', year: '2018' },
      { minutes: 10 },
      ['dayOfMonth'],
    ],
    ['minute -1', { minute: '-1', hour: '0', dayOfMonth: '1', dayOfWeek: '1', month: '1', year: '2018' }, { minutes: 10 }, ['minute']],
    ['minute 60', { minute: '60', hour: '0', dayOfMonth: '1', dayOfWeek: '1', month: '1', year: '2018' }, { minutes: 10 }, ['minute']],
    ['hour 24', { minute: '0', hour: '24', dayOfMonth: '1', dayOfWeek: '1', month: '1', year: '2018' }, { minutes: 10 }, ['hour']],
    ['day 0 and 32', { minute: '0', hour: '0', dayOfMonth: '0,32', dayOfWeek: '1', month: '1', year: '2018' }, { minutes: 10 }, ['dayOfMonth']],
    ['weekday 8', { minute: '0', hour: '0', dayOfMonth: '1', dayOfWeek: '8', month: '1', year: '2018' }, { minutes: 10 }, ['dayOfWeek']],
    ['month 0 and 13', { minute: '0', hour: '0', dayOfMonth: '1', dayOfWeek: '1', month: '0,13', year: '2018' }, { minutes: 10 }, ['month']],
    ['a year before the start', { minute: '0', hour: '0', dayOfMonth: '1', dayOfWeek: '1', month: '1', year: '2016' }, { minutes: 10 }, ['year']],
    ['year 2101', { minute: '0', hour: '0', dayOfMonth: '1', dayOfWeek: '1', month: '1', year: '2101' }, { minutes: 10 }, ['year']],
    ['a zero interval', { minute: '0', hour: '0', dayOfMonth: '1', month: '1', year: '2018' }, {}, ['interval']],
  ] as const)('refuses %s, naming the field', (_name, fields, interval, bad) => {
    const s = schedule('2018/01/12 14:32:00', '2050/01/23 06:30:00', [rec(fields as Fields, interval)]);
    expect(recurrenceProblemsOf(s).map((p) => p.field.replace(/^recurrences\.0\.(schedule\.)?/, ''))).toEqual(bad);
  });
});
