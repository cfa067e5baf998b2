// intraOpNumThreads through the session API: the same outputs as one thread at every batch size, the thread
// count reported, refused counts, single-threaded fallbacks, and release() stopping the workers.

import { afterAll, describe, expect, it, vi } from 'vitest';
import { randomTensor } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { InferenceSession } from '../session.js';

const RESNET8 = new URL('../../../models/resnet8/model.onnx', import.meta.url).pathname;
const open: InferenceSession[] = [];
const session = async (...args: Parameters<typeof InferenceSession.create>) => {
  const s = await InferenceSession.create(...args);
  open.push(s);
  return s;
};
afterAll(async () => {
  for (const s of open) await s.release();
});

function expectSame(a: Record<string, Tensor>, b: Record<string, Tensor>): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const k of Object.keys(a)) {
    expect(b[k]!.dims).toEqual(a[k]!.dims);
    // Exactly equal: every share runs the same kernel on its own channels or rows.
    expect(Buffer.from(b[k]!.data.buffer, b[k]!.data.byteOffset, b[k]!.data.byteLength).equals(Buffer.from(a[k]!.data.buffer, a[k]!.data.byteOffset, a[k]!.data.byteLength))).toBe(true);
  }
}

describe('intraOpNumThreads on resnet8', () => {
  it('gives exactly the single-threaded outputs at batch 1, 3 and 8, with run and runSync', async () => {
    const one = await session(RESNET8);
    const two = await session(RESNET8, { intraOpNumThreads: 2 });
    expect(two.intraOpNumThreads).toBe(2);
    const input = one.inputNames[0]!;
    for (const batch of [1, 3, 8]) {
      const feeds = { [input]: randomTensor('float32', [batch, 3, 32, 32], batch) };
      const expected = one.runSync(feeds);
      expectSame(expected, two.runSync(feeds));
      expectSame(expected, await two.run(feeds));
      expectSame(expected, two.runSync(feeds, { fetches: [one.outputNames[0]!] }));
    }
    expect(two.planStats([[1, 3, 32, 32]])!.kernels.filter((k) => k.kernel.endsWith('(2 threads)')).length).toBeGreaterThan(5);
  });

  it('cuts nodes across threads when the batch dim is bound too', async () => {
    const one = await session(RESNET8, { freeDimensionOverrides: { batch: 4 } });
    const two = await session(RESNET8, { freeDimensionOverrides: { batch: 4 }, intraOpNumThreads: 2 });
    expect(two.intraOpNumThreads).toBe(2);
    const feeds = { [one.inputNames[0]!]: randomTensor('float32', [4, 3, 32, 32], 7) };
    expectSame(one.runSync(feeds), two.runSync(feeds));
  });

  it('stays on one thread, and says why under EDGEINFER_DEBUG, on the ref backend and on the scalar kernels', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const passLog = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubEnv('EDGEINFER_DEBUG', '1');
    try {
      expect((await session(RESNET8, { backend: 'ref', intraOpNumThreads: 2 })).intraOpNumThreads).toBe(1);
      vi.stubEnv('EDGEINFER_WASM', 'scalar');
      const scalar = await session(RESNET8, { intraOpNumThreads: 2 });
      expect(scalar.intraOpNumThreads).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/intraOpNumThreads=2 unused: .*scalar.*; running single-threaded/);
      const feeds = { [scalar.inputNames[0]!]: randomTensor('float32', [2, 3, 32, 32], 2) };
      expect(scalar.runSync(feeds)[scalar.outputNames[0]!]!.dims).toEqual([2, 10]);
    } finally {
      vi.unstubAllEnvs();
      stderr.mockRestore();
      passLog.mockRestore();
    }
  });

  it('refuses a thread count that is not a positive integer', async () => {
    await expect(InferenceSession.create(RESNET8, { intraOpNumThreads: 0 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(InferenceSession.create(RESNET8, { intraOpNumThreads: 1.5 })).rejects.toThrow(/intraOpNumThreads must be an integer/);
  });

  it('release() stops the workers; later runs throw', async () => {
    const s = await InferenceSession.create(RESNET8, { intraOpNumThreads: 3 });
    expect(s.intraOpNumThreads).toBe(3);
    await s.release();
    expect(s.intraOpNumThreads).toBe(1);
    expect(() => s.runSync({ [s.inputNames[0]!]: randomTensor('float32', [2, 3, 32, 32]) })).toThrow(/released/);
  });
});
