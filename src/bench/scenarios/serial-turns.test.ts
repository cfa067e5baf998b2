// serialTurns: measurements run one at a time in the order asked, two loops alternate, a failure
// reaches its caller without blocking the queue.

import { describe, expect, it } from 'vitest';
import { serialTurns } from './serial-turns.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('serialTurns', () => {
  it('never overlaps two measurements and alternates two searches that each await their own', async () => {
    const turns = serialTurns();
    const log: string[] = [];
    let running = 0;
    const measure = (label: string) => async () => {
      expect(running).toBe(0);
      running++;
      log.push(label);
      await tick();
      await tick();
      running--;
      return label;
    };
    const search = async (name: string) => {
      for (let i = 0; i < 3; i++) await turns(measure(`${name}${i}`));
    };
    await Promise.all([search('a'), search('b')]);
    expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('passes a failure to its caller and runs the next measurement', async () => {
    const turns = serialTurns();
    const failed = turns(async () => {
      throw new Error('probe failed');
    });
    const next = turns(async () => 42);
    await expect(failed).rejects.toThrow('probe failed');
    await expect(next).resolves.toBe(42);
  });
});
