// Test doubles for the batcher: a session that doubles its input row by row, records every batch it
// ran, and can hold each run until the test releases it (to fill the queue while a batch "runs").

import { EdgeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { BatchSession } from './dynamic-batcher.js';
import type { BatchValueMetadata } from './batch-layout.js';

export class FakeSession implements BatchSession {
  readonly inputMetadata: BatchValueMetadata[];
  readonly outputMetadata: BatchValueMetadata[];
  /** Per run: the first value of every row of x, which tests use as request ids. */
  readonly runs: number[][] = [];
  /** When set, each run waits for release(). */
  gated = false;
  /** When set, a run whose rows contain this id throws. */
  failOnId: number | undefined;
  private waiting: (() => void)[] = [];

  constructor(rowShape: number[] = [2], batchDim: string | number = 'batch') {
    this.inputMetadata = [{ name: 'x', type: 'float32', shape: [batchDim, ...rowShape] }];
    this.outputMetadata = [{ name: 'y', type: 'float32', shape: [batchDim, ...rowShape] }];
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const x = feeds.x!;
    const rowSize = x.size / x.dims[0]!;
    const ids: number[] = [];
    for (let r = 0; r < x.dims[0]!; r++) ids.push(x.data[r * rowSize] as number);
    this.runs.push(ids);
    if (this.gated) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failOnId !== undefined && ids.includes(this.failOnId)) throw new EdgeError('INTERNAL', `fake kernel failure on row ${this.failOnId}`, { node: 'fake' });
    const y = new Float32Array(x.size);
    for (let i = 0; i < x.size; i++) y[i] = 2 * (x.data[i] as number);
    return { y: new Tensor('float32', y, x.dims) };
  }

  /** Lets the oldest held run finish; returns false when none is held. */
  release(): boolean {
    const next = this.waiting.shift();
    next?.();
    return next !== undefined;
  }

  get held(): number {
    return this.waiting.length;
  }
}

/** A request of `rows` rows whose every value is `id` (so FakeSession.runs shows which requests ran). */
export function rowsOf(id: number, rows = 1, rowSize = 2): Tensor {
  return new Tensor('float32', new Float32Array(rows * rowSize).fill(id), [rows, rowSize]);
}

/** Resolves after pending setImmediate callbacks and microtasks have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `cond()` holds, checking after each turn of the event loop (fails after `limit` turns). */
export async function until(cond: () => boolean, limit = 10_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await settle();
  }
  throw new Error('until(): condition never held');
}
