import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CommitLanes } from './commit-lanes.js';

describe('CommitLanes', () => {
  it('runs the turns on one table one at a time, in arrival order', async () => {
    const lanes = new CommitLanes();
    const log: string[] = [];
    await Promise.all(
      [0, 1, 2].map(async (i) => {
        const release = await lanes.enter(['t']);
        log.push(`start ${i}`);
        await sleep(5);
        log.push(`end ${i}`);
        release();
      }),
    );
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('lets other tables through, and turns over several tables never wait on each other in a cycle', async () => {
    const lanes = new CommitLanes();
    const other = await lanes.enter(['x']);
    // Both ask for a and b, in opposite orders: taken in sorted order, one simply waits for the other.
    const first = lanes.enter(['a', 'b']);
    const second = lanes.enter(['b', 'a']);
    const releaseFirst = await first;
    let secondIn = false;
    void second.then(() => (secondIn = true));
    await sleep(5);
    expect(secondIn).toBe(false);
    releaseFirst();
    (await second)();
    other();
    // Every turn ended: a new one starts at once.
    (await lanes.enter(['a', 'b', 'x']))();
  });
});
