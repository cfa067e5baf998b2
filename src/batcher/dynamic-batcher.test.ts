// DynamicBatcher behaviour: batched results equal unbatched ones row by row (resnet8 and tiny models),
// packing, preferred sizes, max delay, priorities, deadlines, the bounded queue, failures and close().

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EdgeError } from '../errors.js';
import { decodeTensorProto } from '../formats/onnx/tensor-proto.js';
import { InferenceSession } from '../runtime/session.js';
import { Tensor } from '../tensor/tensor.js';
import { makeModel, node } from '../../test/helpers/build.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import { FakeSession, rowsOf, settle, until } from './test-helpers.js';

const RESNET8_DIR = path.join(__dirname, '..', '..', 'models', 'resnet8');

/** The rejection of p (fails the test when p resolves). */
async function rejection(p: Promise<unknown>): Promise<EdgeError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EdgeError);
  return err as EdgeError;
}

function randomTensor(dims: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return new Tensor('float32', data, dims);
}

function expectClose(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.dims, what).toEqual(expected.dims);
  const a = actual.data as Float32Array;
  const e = expected.data as Float32Array;
  for (let i = 0; i < e.length; i++) {
    const tol = 1e-5 + 1e-5 * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tol)) expect.fail(`${what}: element ${i} is ${a[i]}, unbatched run gave ${e[i]}`);
  }
}

describe('DynamicBatcher on resnet8', () => {
  it('packs requests of mixed batch sizes and answers each with its own rows, equal to unbatched runs', async () => {
    const session = await InferenceSession.create(path.join(RESNET8_DIR, 'model.onnx'));
    const batcher = new DynamicBatcher(session, { maxBatchSize: 8 });
    expect(batcher.packsRequests).toBe(true);
    const sizes = [1, 3, 2, 1, 4, 1, 2];
    const inputs = sizes.map((n, i) => randomTensor([n, 3, 32, 32], 100 + i));
    const answers = await Promise.all(inputs.map((x) => batcher.infer({ input: x })));
    for (let i = 0; i < sizes.length; i++) {
      const alone = await session.run({ input: inputs[i]! });
      expectClose(answers[i]!.output!, alone.output!, `request ${i} (batch ${sizes[i]})`);
    }
    // 1+3+2+1 = 7 rows; the next request (4) would overflow 8, so it starts the second batch of 4+1+2.
    expect(batcher.stats.batchSizeHistogram).toEqual({ 7: 2 });
    expect(batcher.stats).toMatchObject({ received: 7, succeeded: 7, batches: 2, rows: 14, pending: 0, inFlight: 0 });
    await batcher.close();
  });

  it('matches the bundled reference outputs when a batch of 4 arrives as 4 requests of 1', async () => {
    const session = await InferenceSession.create(path.join(RESNET8_DIR, 'model.onnx'));
    const x = decodeTensorProto(fs.readFileSync(path.join(RESNET8_DIR, 'test_data_set_2', 'input_0.pb')), 'input').tensor;
    const expected = decodeTensorProto(fs.readFileSync(path.join(RESNET8_DIR, 'test_data_set_2', 'output_0.pb')), 'output').tensor;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 4 });
    const rows = [0, 1, 2, 3].map((r) => new Tensor('float32', (x.data as Float32Array).slice(r * 3072, (r + 1) * 3072), [1, 3, 32, 32]));
    const answers = await Promise.all(rows.map((input) => batcher.infer({ input })));
    expect(batcher.stats.batchSizeHistogram).toEqual({ 4: 1 });
    const e = expected.data as Float32Array;
    answers.forEach((a, r) => {
      const out = a.output!.data as Float32Array;
      expect(a.output!.dims).toEqual([1, 10]);
      for (let j = 0; j < 10; j++) expect(Math.abs(out[j]! - e[r * 10 + j]!)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(e[r * 10 + j]!));
    });
  });
});

describe('DynamicBatcher on tiny models', () => {
  const addRelu = makeModel({
    inputs: [
      ['a', 'float32', ['n', 2]],
      ['b', 'float32', ['n', 2]],
    ],
    outputs: [['y', 'float32']],
    nodes: [node('Add', ['a', 'b'], ['s']), node('Relu', ['s'], ['y'])],
  });

  it('packs two-input requests and rejects a misshapen one alone with INPUT_INVALID', async () => {
    const session = await InferenceSession.create(addRelu, { backend: 'ref' });
    const batcher = new DynamicBatcher(session, { maxBatchSize: 8 });
    const good1 = batcher.infer({ a: new Tensor('float32', [1, -2], [1, 2]), b: new Tensor('float32', [1, 1], [1, 2]) });
    const bad = batcher.infer({ a: new Tensor('float32', [1, 2, 3], [1, 3]), b: new Tensor('float32', [1, 2, 3], [1, 3]) });
    const good2 = batcher.infer({ a: new Tensor('float32', [5, 6, -7, 8], [2, 2]), b: new Tensor('float32', [0, 0, 0, 0], [2, 2]) });
    const err = await rejection(bad);
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toMatch(/input 'a' must have shape \[n,2\], got \[1,3\]/);
    expect(Array.from((await good1).y!.data as Float32Array)).toEqual([2, 0]);
    const y2 = (await good2).y!;
    expect(y2.dims).toEqual([2, 2]);
    expect(Array.from(y2.data as Float32Array)).toEqual([5, 6, 0, 8]);
    expect(batcher.stats).toMatchObject({ received: 3, succeeded: 2, invalid: 1, batches: 1, batchSizeHistogram: { 3: 1 } });
  });

  it('never packs requests whose other dims differ', async () => {
    const relu = makeModel({ inputs: [['x', 'float32', ['n', 'len']]], outputs: [['y', 'float32']], nodes: [node('Relu', ['x'], ['y'])] });
    const session = await InferenceSession.create(relu, { backend: 'ref' });
    const batcher = new DynamicBatcher(session, { maxBatchSize: 8 });
    const a = batcher.infer({ x: new Tensor('float32', [-1, 2, 3], [1, 3]) });
    const b = batcher.infer({ x: new Tensor('float32', [4, -5], [1, 2]) });
    const c = batcher.infer({ x: new Tensor('float32', [6, 7, -8], [1, 3]) });
    expect(Array.from((await a).y!.data as Float32Array)).toEqual([0, 2, 3]);
    expect(Array.from((await b).y!.data as Float32Array)).toEqual([4, 0]);
    expect(Array.from((await c).y!.data as Float32Array)).toEqual([6, 7, 0]);
    // a and c (len 3) share a batch; b (len 2) runs alone after them.
    expect(batcher.stats.batchSizeHistogram).toEqual({ 1: 1, 2: 1 });
  });

  it('runs each request alone when the model has no symbolic batch dim', async () => {
    const session = new FakeSession([2], 1);
    const batcher = new DynamicBatcher(session, { maxBatchSize: 8 });
    expect(batcher.packsRequests).toBe(false);
    expect(batcher.layout.notPackedBecause).toMatch(/no symbolic batch dim 0/);
    await Promise.all([1, 2, 3].map((id) => batcher.infer({ x: rowsOf(id) })));
    expect(session.runs).toEqual([[1], [2], [3]]);
    expect((await rejection(batcher.infer({ x: rowsOf(4, 2) }))).code).toBe('INPUT_INVALID');
  });
});

describe('DynamicBatcher scheduling', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a preferred batch size at once and holds the rest for the delay', async () => {
    const session = new FakeSession();
    const batcher = new DynamicBatcher(session, { maxBatchSize: 8, preferredBatchSizes: [4], maxQueueDelayMs: 60_000 });
    const answers = [1, 2, 3, 4, 5, 6].map((id) => batcher.infer({ x: rowsOf(id) }));
    await Promise.all(answers.slice(0, 4));
    expect(session.runs).toEqual([[1, 2, 3, 4]]);
    expect(batcher.stats.pending).toBe(2);
    await batcher.close(); // drains without waiting for the delay
    expect(session.runs).toEqual([[1, 2, 3, 4], [5, 6]]);
    expect(Array.from((await answers[5]!).y!.data as Float32Array)).toEqual([12, 12]);
  });

  it('holds a partial batch for maxQueueDelayMs after its oldest request, then runs it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'] });
    const session = new FakeSession();
    const batcher = new DynamicBatcher(session, { maxBatchSize: 8, maxQueueDelayMs: 50 });
    const answers = [batcher.infer({ x: rowsOf(1) })];
    await vi.advanceTimersByTimeAsync(20);
    answers.push(batcher.infer({ x: rowsOf(2) }));
    await vi.advanceTimersByTimeAsync(20);
    answers.push(batcher.infer({ x: rowsOf(3) }));
    await vi.advanceTimersByTimeAsync(9);
    expect(session.runs).toEqual([]); // t = 49 ms: still holding
    await vi.advanceTimersByTimeAsync(2);
    expect(session.runs).toEqual([[1, 2, 3]]); // t = 51 ms: the oldest request's delay is spent
    await Promise.all(answers);
    const delay = batcher.stats.queueDelayMs;
    expect(delay.count).toBe(3);
    expect(delay.maxMs).toBeGreaterThanOrEqual(50);
    expect(delay.maxMs).toBeLessThanOrEqual(51);
  });

  it('serves higher priority (level 1) first and FIFO within a level', async () => {
    const session = new FakeSession();
    session.gated = true;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 1, priorityLevels: 3 });
    const all = [batcher.infer({ x: rowsOf(100) })];
    await until(() => session.held === 1); // 100 is running; the rest queue behind it
    const plan: [number, number | undefined][] = [
      [1, 3],
      [2, 2],
      [3, 1],
      [4, 3],
      [5, 1],
      [6, undefined], // default priority: the lowest level (3)
    ];
    for (const [id, priority] of plan) all.push(batcher.infer({ x: rowsOf(id) }, { priority }));
    while (session.runs.length < 7 || session.held > 0) {
      if (!session.release()) await settle();
    }
    await Promise.all(all);
    expect(session.runs).toEqual([[100], [3], [5], [2], [1], [4], [6]]);
  });

  it('orders rows inside a batch by priority too', async () => {
    const session = new FakeSession();
    const batcher = new DynamicBatcher(session, { maxBatchSize: 3, priorityLevels: 2 });
    await Promise.all([
      batcher.infer({ x: rowsOf(1) }, { priority: 2 }),
      batcher.infer({ x: rowsOf(2) }, { priority: 1 }),
      batcher.infer({ x: rowsOf(3) }, { priority: 2 }),
      batcher.infer({ x: rowsOf(4) }, { priority: 1 }),
    ]);
    expect(session.runs).toEqual([[2, 4, 1], [3]]);
  });

  it('answers a request still queued at its deadline with TIMEOUT and never runs it', async () => {
    const session = new FakeSession();
    session.gated = true;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 4 });
    const first = batcher.infer({ x: rowsOf(100) });
    await until(() => session.held === 1);
    const late = batcher.infer({ x: rowsOf(1) }, { deadlineMs: 20 });
    const patient = batcher.infer({ x: rowsOf(2) }, { deadlineMs: 60_000 });
    const err = await rejection(late); // settles while 100 still runs
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/request \d+ waited .* past its deadline of 20 ms; it was not run/);
    session.release();
    await until(() => session.held === 1);
    session.release();
    await Promise.all([first, patient]);
    expect(session.runs).toEqual([[100], [2]]);
    expect(batcher.stats).toMatchObject({ timedOut: 1, succeeded: 2 });
  });

  it('rejects at once with OVERLOADED when the queue is full, and serves what it queued', async () => {
    const session = new FakeSession();
    session.gated = true;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 1, maxQueueSize: 2 });
    const running = batcher.infer({ x: rowsOf(100) });
    await until(() => session.held === 1);
    const queued = [batcher.infer({ x: rowsOf(1) }), batcher.infer({ x: rowsOf(2) })];
    const err = await rejection(batcher.infer({ x: rowsOf(3) }));
    expect(err.code).toBe('OVERLOADED');
    expect(err.message).toMatch(/queue is full \(2 requests waiting, maxQueueSize 2\)/);
    while (session.runs.length < 3 || session.held > 0) if (!session.release()) await settle();
    await Promise.all([running, ...queued]);
    expect(session.runs).toEqual([[100], [1], [2]]);
    expect(batcher.stats).toMatchObject({ received: 4, succeeded: 3, overloaded: 1 });
  });

  it('rejects every request of a failing batch with the session error and keeps serving', async () => {
    const session = new FakeSession();
    session.failOnId = 2;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 4 });
    const batch = [1, 2, 3].map((id) => batcher.infer({ x: rowsOf(id) }));
    for (const p of batch) {
      const err = await rejection(p);
      expect(err.code).toBe('INTERNAL');
      expect(err.node).toBe('fake');
      expect(err.message).toMatch(/the batch of 3 request\(s\), 3 row\(s\), failed: fake kernel failure on row 2/);
    }
    const after = await batcher.infer({ x: rowsOf(4) });
    expect(Array.from(after.y!.data as Float32Array)).toEqual([8, 8]);
    expect(batcher.stats).toMatchObject({ failed: 3, succeeded: 1, batches: 2 });
  });

  it('close() finishes the running batch, drains the queue, then refuses new requests', async () => {
    const session = new FakeSession();
    session.gated = true;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 2, maxQueueDelayMs: 60_000 });
    const all = [100, 1, 2, 3].map((id) => batcher.infer({ x: rowsOf(id) }));
    await until(() => session.held === 1);
    const closed = batcher.close();
    expect(batcher.close()).toBe(closed);
    const refused = await rejection(batcher.infer({ x: rowsOf(4) }));
    expect(refused.code).toBe('OVERLOADED');
    expect(refused.message).toMatch(/after close\(\)/);
    let done = false;
    void closed.then(() => (done = true));
    while (!done) if (!session.release()) await settle();
    const outs = await Promise.all(all);
    expect(outs.map((o) => (o.y!.data as Float32Array)[0])).toEqual([200, 2, 4, 6]);
    expect(session.runs).toEqual([[100, 1], [2, 3]]);
    expect(batcher.stats).toMatchObject({ received: 5, succeeded: 4, closed: 1, pending: 0, inFlight: 0 });
  });

  it('close({ drain: false }) rejects the queued requests and lets the running batch finish', async () => {
    const session = new FakeSession();
    session.gated = true;
    const batcher = new DynamicBatcher(session, { maxBatchSize: 1 });
    const running = batcher.infer({ x: rowsOf(100) });
    await until(() => session.held === 1);
    const queued = [1, 2].map((id) => batcher.infer({ x: rowsOf(id) }));
    const closed = batcher.close({ drain: false });
    for (const p of queued) expect((await rejection(p)).message).toMatch(/closed before request \d+ ran/);
    session.release();
    await closed;
    expect((await running).y).toBeDefined();
    expect(session.runs).toEqual([[100]]);
    expect(batcher.stats).toMatchObject({ succeeded: 1, closed: 2 });
  });

  it('checks its options and per-request options', async () => {
    const session = new FakeSession();
    const bad = (options: object) => () => new DynamicBatcher(session, options);
    expect(bad({ maxBatchSize: 0 })).toThrow(/maxBatchSize must be a positive integer, got 0/);
    expect(bad({ maxBatchSize: 4, preferredBatchSizes: [8] })).toThrow(/≤ maxBatchSize \(4\)/);
    expect(bad({ priorityLevels: 2, defaultPriority: 3 })).toThrow(/defaultPriority must be a level in 1..2/);
    expect(bad({ maxQueueDelayMs: -1 })).toThrow(/maxQueueDelayMs/);
    expect(() => new DynamicBatcher({} as FakeSession)).toThrow(/needs a session/);
    const batcher = new DynamicBatcher(session, { priorityLevels: 2 });
    expect((await rejection(batcher.infer({ x: rowsOf(1) }, { priority: 3 }))).message).toMatch(/priority must be an integer level in 1..2/);
    expect((await rejection(batcher.infer({ x: rowsOf(1) }, { deadlineMs: -5 }))).code).toBe('INPUT_INVALID');
    expect((await rejection(batcher.infer({ x: rowsOf(1, 9) }))).message).toMatch(/9 rows/);
    expect(batcher.stats).toMatchObject({ received: 3, invalid: 3 });
  });
});
