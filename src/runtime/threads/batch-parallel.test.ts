import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeModel, node } from '../../../test/helpers/build.js';
import { EdgeError } from '../../errors.js';
import { randomTensor } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { InferenceSession } from '../session.js';
import { BatchParallel } from './batch-parallel.js';
import { nodeSpawner } from './node-transport.js';
import type { SpawnWorker } from './transport.js';

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
    // Exactly equal: the same kernels run on every slice.
    expect(Buffer.from(b[k]!.data.buffer, b[k]!.data.byteOffset, b[k]!.data.byteLength).equals(Buffer.from(a[k]!.data.buffer, a[k]!.data.byteOffset, a[k]!.data.byteLength))).toBe(true);
  }
}

// Gather rows of a 5×3 table: an index out of range fails inside whichever thread runs its slice.
const gatherModel = () =>
  makeModel({
    inputs: [['idx', 'int64', ['N']]],
    outputs: [['rows', 'float32', ['N', 3]]],
    nodes: [node('Gather', ['table', 'idx'], ['rows'], {}, 'lookup')],
    initializers: { table: new Tensor('float32', Float32Array.from({ length: 15 }, (_, i) => i), [5, 3]) },
  });
const idx = (...v: number[]) => ({ idx: new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]) });

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
    expect(two.intraOpNumThreads).toBe(2);
  });

  it('on the ref backend, stays single-threaded and correct when the batch dim is bound (not splittable)', async () => {
    const one = await session(RESNET8, { freeDimensionOverrides: { batch: 4 }, backend: 'ref' });
    const two = await session(RESNET8, { freeDimensionOverrides: { batch: 4 }, intraOpNumThreads: 2, backend: 'ref' });
    expect(two.intraOpNumThreads).toBe(1);
    const feeds = { [one.inputNames[0]!]: randomTensor('float32', [4, 3, 32, 32], 7) };
    expectSame(one.runSync(feeds), two.runSync(feeds));
  });

  it('on the wasm backend, cuts nodes across threads whatever the batch dim (kernel threads)', async () => {
    const one = await session(RESNET8, { freeDimensionOverrides: { batch: 4 } });
    const two = await session(RESNET8, { freeDimensionOverrides: { batch: 4 }, intraOpNumThreads: 2 });
    expect(two.intraOpNumThreads).toBe(2);
    const feeds = { [one.inputNames[0]!]: randomTensor('float32', [4, 3, 32, 32], 7) };
    expectSame(one.runSync(feeds), two.runSync(feeds));
  });

  it('refuses a thread count that is not a positive integer', async () => {
    await expect(InferenceSession.create(RESNET8, { intraOpNumThreads: 0 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(InferenceSession.create(RESNET8, { intraOpNumThreads: 1.5 })).rejects.toThrow(/intraOpNumThreads must be an integer/);
  });
});

describe('errors and failures', () => {
  it("carries a whole-model worker's error to the caller with its code, and keeps the threads", async () => {
    const one = await session(gatherModel(), { backend: 'ref' });
    const two = await session(gatherModel(), { intraOpNumThreads: 2, backend: 'ref' });
    expect(two.intraOpNumThreads).toBe(2);
    const single = (() => {
      try {
        one.runSync(idx(0, 1, 2, 9));
      } catch (err) {
        return err as EdgeError;
      }
    })();
    expect(single?.code).toBe('INPUT_INVALID');
    // Index 9 falls in the worker's slice [2, 9], then in this thread's slice [9, 0].
    for (const bad of [idx(0, 1, 2, 9), idx(9, 0, 1, 2)]) {
      let err: unknown;
      try {
        two.runSync(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EdgeError);
      expect((err as EdgeError).code).toBe(single!.code);
      expect((err as EdgeError).message).toMatch(/lookup/);
    }
    expect(() => two.runSync(idx(0, 1, 2, 9))).toThrow(expect.objectContaining({ details: { thread: 'intra-op thread 1' } }));
    // The same pool answers the next run.
    expectSame(one.runSync(idx(4, 3, 2, 1, 0)), two.runSync(idx(4, 3, 2, 1, 0)));
    expect(two.intraOpNumThreads).toBe(2);
  });

  const faulty = async (fault: string, waitBoundMs?: () => number) => {
    const local = await session(RESNET8);
    const spawn = nodeSpawner(new URL('./fault-worker.fixture.ts', import.meta.url), { fault });
    const parallel = await BatchParallel.start(local, 2, (f, names) => local.runSync(f, [...names]), { spawn, waitBoundMs });
    expect(parallel?.threads).toBe(2);
    return { local, parallel: parallel!, feeds: { [local.inputNames[0]!]: randomTensor('float32', [3, 3, 32, 32], 3) } };
  };

  it('finishes the run on this thread when a worker dies mid-run, then stays single-threaded (one warning under EDGEINFER_DEBUG)', async () => {
    const { local, parallel, feeds } = await faulty('exit');
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.stubEnv('EDGEINFER_DEBUG', '1');
    try {
      expectSame(local.runSync(feeds), parallel.run(feeds, local.outputNames));
      expect(parallel.threads).toBe(1);
      expect(parallel.accepts(feeds)).toBe(false);
      await new Promise((r) => setTimeout(r, 50)); // the worker's exit event arrives now: no second warning
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/intra-op threads stopped \(thread 1 stopped during a run\); running single-threaded/)]);
    } finally {
      vi.unstubAllEnvs();
      stderr.mockRestore();
    }
    await parallel.release();
  });

  it('stops waiting for a worker that never answers (TIMEOUT), then stays single-threaded, silently without EDGEINFER_DEBUG', async () => {
    const { local, parallel, feeds } = await faulty('hang', () => 300);
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.stubEnv('EDGEINFER_DEBUG', '');
    try {
      expect(() => parallel.run(feeds, local.outputNames)).toThrow(expect.objectContaining({ code: 'TIMEOUT' }));
      expect(parallel.threads).toBe(1);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllEnvs();
      stderr.mockRestore();
    }
    await parallel.release();
  });

  it('release() terminates the workers', async () => {
    const local = await session(RESNET8);
    const terminated: number[] = [];
    const base = nodeSpawner();
    let n = 0;
    const spawn: SpawnWorker = () => {
      const t = base();
      const id = n++;
      return { ...t, terminate: async () => (await t.terminate(), void terminated.push(id)) };
    };
    const parallel = (await BatchParallel.start(local, 3, (f, names) => local.runSync(f, [...names]), { spawn }))!;
    expect(parallel.threads).toBe(3);
    await parallel.release();
    expect(terminated.sort()).toEqual([0, 1]);
    expect(parallel.threads).toBe(1);

    const s = await InferenceSession.create(RESNET8, { intraOpNumThreads: 2 });
    expect(s.intraOpNumThreads).toBe(2);
    await s.release();
    expect(s.intraOpNumThreads).toBe(1);
    expect(() => s.runSync({ [s.inputNames[0]!]: randomTensor('float32', [2, 3, 32, 32]) })).toThrow(/released/);
  });
});
