import { describe, expect, it } from 'vitest';
import { makeModel, node } from '../../../test/helpers/build.js';
import { writeOnnx } from '../../formats/onnx/writer.js';
import { Tensor } from '../../tensor/tensor.js';
import { ThreadPool } from './pool.js';
import type { ToWorker } from './protocol.js';
import type { Endpoint, SpawnWorker } from './transport.js';
import { serveWorker } from './worker-loop.js';

/** A "worker" on this thread that handles each message at once: the protocol without threads. */
function inProcess(log: ToWorker[]): SpawnWorker {
  return () => {
    let toMain: (m: unknown) => void = () => undefined;
    let toWorker: (m: unknown) => void = () => undefined;
    const worker: Endpoint = { post: (m) => queueMicrotask(() => toMain(m)), onMessage: (h) => (toWorker = h) };
    serveWorker(worker);
    return {
      post: (m) => (log.push(m as ToWorker), toWorker(m)),
      onMessage: (h) => (toMain = h),
      onExit: () => undefined,
      terminate: async () => undefined,
    };
  };
}

// Gather of 40 KB rows: three rows overflow the 64 KiB a region starts with.
const COLS = 10_000;
const model = makeModel({
  inputs: [['idx', 'int64', ['N']]],
  outputs: [['rows', 'float32', ['N', COLS]]],
  nodes: [node('Gather', ['table', 'idx'], ['rows'], {}, 'lookup')],
  initializers: { table: new Tensor('float32', Float32Array.from({ length: 4 * COLS }, (_, i) => i), [4, COLS]) },
});
const idx = (...v: number[]) => new Tensor('int64', BigInt64Array.from(v.map(BigInt)), [v.length]);

describe('ThreadPool protocol', () => {
  it('grows the output region when a worker asks for more, and posts a region only when replaced', async () => {
    const log: ToWorker[] = [];
    const pool = await ThreadPool.start(writeOnnx(model), { backend: 'wasm', workers: 1, spawn: inProcess(log), startTimeoutMs: 10_000, onStop: () => undefined });
    pool.dispatch(0, [idx(3, 0, 2)], ['rows'], 0);
    const [rows] = pool.collect(0, ['float32'], performance.now() + 10_000)!;
    expect(rows!.dims).toEqual([3, COLS]);
    expect([rows!.data[0], rows!.data[COLS], rows!.data[2 * COLS + 5]]).toEqual([3 * COLS, 0, 2 * COLS + 5]);
    expect(log.map((m) => m.kind)).toEqual(['init', 'run', 'resend']);
    expect((log[2] as { output: SharedArrayBuffer }).output.byteLength).toBeGreaterThanOrEqual(3 * COLS * 4);

    log.length = 0;
    pool.dispatch(0, [idx(1)], ['rows'], 0);
    expect(pool.collect(0, ['float32'], performance.now() + 10_000)![0]!.data[0]).toBe(COLS);
    expect(log).toEqual([{ kind: 'run', fetches: ['rows'] }]);
    await pool.release();
    expect(pool.size).toBe(0);
  });

  it("rethrows a worker's error with its code, node and thread", async () => {
    const pool = await ThreadPool.start(writeOnnx(model), { backend: 'ref', workers: 1, spawn: inProcess([]), startTimeoutMs: 10_000, onStop: () => undefined });
    pool.dispatch(0, [idx(0, 7)], ['rows'], 1 << 20);
    expect(() => pool.collect(0, ['float32'], performance.now() + 10_000)).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringMatching(/Gather 'lookup': index 7 is out of range/), details: { thread: 'intra-op thread 1' } }),
    );
    expect(pool.size).toBe(1);
    await pool.release();
  });

  it('refuses to start when a worker cannot load the model', async () => {
    const bytes = writeOnnx(model).slice(0, 40);
    await expect(ThreadPool.start(bytes, { backend: 'wasm', workers: 1, spawn: inProcess([]), startTimeoutMs: 10_000, onStop: () => undefined })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});
