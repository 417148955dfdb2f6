import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { dueSlots, slotsToStart } from './slots.js';

const t = (iso: string) => new Date(iso);

describe('schedule slots', () => {
  it("lists the slots after the last one up to now, in the schedule's time zone", () => {
    expect(dueSlots('*/15 * * * *', 'UTC', t('2026-01-01T00:00:00Z'), t('2026-01-01T01:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    // 03:00 in Berlin is 02:00 UTC in winter.
    expect(dueSlots('0 3 * * *', 'Europe/Berlin', t('2026-01-01T00:00:00Z'), t('2026-01-02T12:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-01-01T02:00:00.000Z',
      '2026-01-02T02:00:00.000Z',
    ]);
    expect(dueSlots('0 3 * * *', 'UTC', t('2026-01-01T03:00:00Z'), t('2026-01-01T03:00:30Z'))).toEqual([]);
  });

  it("answers from a schedule's listed slots exactly as computing them one by one would", () => {
    const now = t('2026-03-29T01:30:10Z'); // a night the clocks change in Berlin
    for (const [cron, zone] of [
      ['*/7 * * * *', 'UTC'],
      ['0 3 * * *', 'Europe/Berlin'],
      ['30 2 * * *', 'Europe/Berlin'],
      ['* * * * *', 'UTC'],
    ] as const) {
      for (let back = 0; back < 2 * 86_400_000; back += 3_456_789) {
        const after = new Date(now.getTime() - back);
        // One by one, as the cron library gives them.
        const schedule = new Cron(cron, { paused: true, timezone: zone });
        const direct: Date[] = [];
        for (let cursor = after; direct.length < 50;) {
          const next = schedule.nextRun(cursor);
          if (!next || next > now) break;
          direct.push(next);
          cursor = next;
        }
        expect(dueSlots(cron, zone, after, now, 50), `${cron} ${zone} after ${after.toISOString()}`).toEqual(direct);
      }
    }
  });

  it('starts what the catch-up policy says after downtime, and calls the rest missed', () => {
    const due = [t('2026-01-01T00:15:00Z'), t('2026-01-01T00:30:00Z'), t('2026-01-01T00:45:00Z')];
    const late = t('2026-01-01T02:00:00Z');
    expect(slotsToStart(due, 'all', late, 120_000)).toEqual({ start: due, missed: [] });
    expect(slotsToStart(due, 'last', late, 120_000)).toEqual({ start: [due[2]], missed: due.slice(0, 2) });
    expect(slotsToStart(due, 'none', late, 120_000)).toEqual({ start: [], missed: due });
    expect(slotsToStart(due, 'none', t('2026-01-01T00:45:40Z'), 120_000)).toEqual({ start: [due[2]], missed: due.slice(0, 2) });
  });
});
