// Thousands of concurrent requests against a small queue, with deadlines, priorities, bad requests,
// failing batches and a close() in the middle of the storm: every promise settles and the counts add up.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { InferenceSession } from '../runtime/session.js';
import { Tensor } from '../tensor/tensor.js';
import { makeModel, node } from '../../test/helpers/build.js';
import { DynamicBatcher, type BatchSession } from './dynamic-batcher.js';
import { settle } from './test-helpers.js';

const addRelu = makeModel({
  inputs: [
    ['a', 'float32', ['n', 3]],
    ['b', 'float32', ['n', 3]],
  ],
  outputs: [['y', 'float32']],
  nodes: [node('Add', ['a', 'b'], ['s']), node('Relu', ['s'], ['y'])],
});

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('DynamicBatcher under overload', () => {
  it('settles every one of 6000 concurrent requests; outcomes match the stats and results are right', async () => {
    const real = await InferenceSession.create(addRelu, { backend: 'ref' });
    let runs = 0;
    // Every 7th batch fails, as a kernel error would.
    const flaky: BatchSession = {
      inputMetadata: real.inputMetadata,
      outputMetadata: real.outputMetadata,
      run: (feeds) => (++runs % 7 === 0 ? Promise.reject(new Error('flaky device')) : real.run(feeds)),
    };
    const batcher = new DynamicBatcher(flaky, { maxBatchSize: 16, maxQueueDelayMs: 1, maxQueueSize: 200, priorityLevels: 3, preferredBatchSizes: [8] });
    const random = rng(7);
    const requests: { a: Tensor; b: Tensor; p: Promise<Record<string, Tensor>> }[] = [];
    let closeDone: Promise<void> | undefined;
    for (let round = 0; round < 60; round++) {
      for (let k = 0; k < 100; k++) {
        const rows = 1 + Math.floor(random() * 4);
        const bad = random() < 0.02;
        const a = Tensor.fromNumbers('float32', Array.from({ length: rows * 3 }, () => random() * 2 - 1), [rows, 3]);
        const b = Tensor.fromNumbers('float32', Array.from({ length: rows * 3 }, () => random() * 2 - 1), bad ? [rows * 3] : [rows, 3]);
        const u = random();
        // Some deadlines are shorter than a turn of the event loop, so some requests must time out.
        const options = { priority: 1 + Math.floor(random() * 3), deadlineMs: u < 0.1 ? 0.001 : u < 0.3 ? 2 : undefined };
        const p = batcher.infer({ a, b }, options);
        p.catch(() => undefined); // handled below with allSettled; this keeps Node from reporting it early
        requests.push({ a, b, p });
      }
      await settle();
      if (round === 50) closeDone = batcher.close(); // the last rounds arrive after close()
    }
    let guard: ReturnType<typeof setTimeout> | undefined;
    const outcomes = await Promise.race([
      Promise.allSettled(requests.map((r) => r.p)),
      new Promise<never>((_, reject) => (guard = setTimeout(() => reject(new Error('some requests never settled')), 30_000))),
    ]);
    clearTimeout(guard);
    await closeDone;

    const byCode: Record<string, number> = {};
    let fulfilled = 0;
    let fulfilledRows = 0;
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') {
        const err = o.reason as EdgeError;
        expect(err).toBeInstanceOf(EdgeError);
        byCode[err.code] = (byCode[err.code] ?? 0) + 1;
        return;
      }
      fulfilled++;
      const { a, b } = requests[i]!;
      const y = o.value.y!;
      expect(y.dims).toEqual(a.dims);
      fulfilledRows += a.dims[0]!;
      const av = a.data as Float32Array;
      const bv = b.data as Float32Array;
      const yv = y.data as Float32Array;
      for (let j = 0; j < yv.length; j++) if (yv[j] !== Math.max(0, Math.fround(av[j]! + bv[j]!))) expect.fail(`request ${i} element ${j}: ${yv[j]}`);
    });

    const s = batcher.stats;
    expect(s.received).toBe(6000);
    expect(s.pending + s.inFlight).toBe(0);
    expect(s.succeeded + s.failed + s.invalid + s.overloaded + s.timedOut + s.closed).toBe(s.received);
    expect(fulfilled).toBe(s.succeeded);
    expect(byCode.INPUT_INVALID).toBe(s.invalid);
    expect(byCode.TIMEOUT).toBe(s.timedOut);
    expect(byCode.OVERLOADED).toBe(s.overloaded + s.closed);
    expect(byCode.INTERNAL).toBe(s.failed);
    for (const n of [s.succeeded, s.failed, s.invalid, s.overloaded, s.timedOut, s.closed]) expect(n).toBeGreaterThan(0);
    // Every batch is counted once in the histogram, and no batch exceeds maxBatchSize.
    const hist = Object.entries(s.batchSizeHistogram).map(([size, n]) => [Number(size), n] as const);
    expect(hist.reduce((sum, [, n]) => sum + n, 0)).toBe(s.batches);
    expect(hist.reduce((sum, [size, n]) => sum + size * n, 0)).toBe(s.rows);
    expect(Math.max(...hist.map(([size]) => size))).toBeLessThanOrEqual(16);
    expect(s.batches).toBe(runs);
    expect(s.rows).toBeGreaterThanOrEqual(fulfilledRows);
    expect(s.queueDelayMs.count).toBe(s.succeeded + s.failed);
  });
});
