// Packing along dim 0 and back, and the per-request checks that decide whether requests can pack.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { batchLayout, inspectRequest } from './batch-layout.js';
import { concatRows, packFeeds, splitRows, unpackOutputs } from './packing.js';

const f32 = (values: number[], dims: number[]) => new Tensor('float32', values, dims);

function edgeCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeError);
    return (err as EdgeError).code;
  }
  return 'none';
}

describe('packing', () => {
  it('concatenates requests of different batch sizes and splits the rows back in order', () => {
    const parts = [f32([1, 2], [1, 2]), f32([3, 4, 5, 6, 7, 8], [3, 2]), f32([9, 10, 11, 12], [2, 2])];
    const packed = concatRows(parts);
    expect(packed.dims).toEqual([6, 2]);
    expect(Array.from(packed.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const back = splitRows(packed, [1, 3, 2], 'y');
    back.forEach((t, i) => {
      expect(t.dims).toEqual(parts[i]!.dims);
      expect(Array.from(t.data as Float32Array)).toEqual(Array.from(parts[i]!.data as Float32Array));
      // Each caller owns its buffer.
      expect(t.data.buffer).not.toBe(packed.data.buffer);
    });
  });

  it('packs and unpacks records of several inputs and int64 data', () => {
    const a = { ids: new Tensor('int64', [1n, 2n], [1, 2]), mask: f32([1, 0], [1, 2]) };
    const b = { ids: new Tensor('int64', [3n, 4n, 5n, 6n], [2, 2]), mask: f32([1, 1, 0, 0], [2, 2]) };
    const feeds = packFeeds(['ids', 'mask'], [a, b]);
    expect(Array.from(feeds.ids!.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    const [ra, rb] = unpackOutputs(feeds, [1, 2]);
    expect(Array.from(ra!.ids!.data as BigInt64Array)).toEqual([1n, 2n]);
    expect(rb!.mask!.dims).toEqual([2, 2]);
  });

  it('refuses to split an output whose dim 0 is not the batch (INTERNAL, names the output)', () => {
    expect(() => splitRows(f32([1, 2], [2]), [1, 2], 'score')).toThrow(/output 'score' has shape \[2\] but the batch has 3 rows/);
  });
});

describe('batchLayout and inspectRequest', () => {
  const meta = (name: string, shape: (number | string)[]) => ({ name, type: 'float32' as const, shape });

  it('packs when every input and output shares a symbolic dim 0', () => {
    expect(batchLayout([meta('x', ['batch', 3])], [meta('y', ['batch', 10])]).batchSymbol).toBe('batch');
  });

  it('does not pack static, unknown or mismatched dim 0, or a batch symbol used elsewhere', () => {
    expect(batchLayout([meta('x', [1, 3])], [meta('y', [1, 10])]).notPackedBecause).toMatch(/no symbolic batch dim 0/);
    expect(batchLayout([meta('x', ['?', 3])], [meta('y', ['?', 10])]).batchSymbol).toBeUndefined();
    expect(batchLayout([meta('x', ['n', 3])], [meta('y', [10])]).notPackedBecause).toMatch(/'y' has dim 0 10/);
    expect(batchLayout([meta('x', ['n', 'n'])], [meta('y', ['n'])]).notPackedBecause).toMatch(/uses 'n' beyond dim 0/);
  });

  it('returns rows and a key that differs when any non-batch dim differs', () => {
    const layout = batchLayout([meta('x', ['n', 'len'])], [meta('y', ['n', 'len'])]);
    const a = inspectRequest(layout, { x: f32([1, 2, 3, 4, 5, 6], [2, 3]) }, 8);
    const b = inspectRequest(layout, { x: f32([1, 2, 3], [1, 3]) }, 8);
    const c = inspectRequest(layout, { x: f32([1, 2], [1, 2]) }, 8);
    expect(a.rows).toBe(2);
    expect(a.key).toBe(b.key);
    expect(c.key).not.toBe(a.key);
  });

  it('rejects bad requests with INPUT_INVALID', () => {
    const layout = batchLayout([meta('a', ['n', 2]), meta('b', ['n', 2])], [meta('s', ['n', 2])]);
    const ok = f32([1, 2], [1, 2]);
    expect(edgeCode(() => inspectRequest(layout, { a: ok }, 8))).toBe('INPUT_INVALID');
    expect(edgeCode(() => inspectRequest(layout, { a: ok, b: ok, c: ok }, 8))).toBe('INPUT_INVALID');
    expect(edgeCode(() => inspectRequest(layout, { a: ok, b: new Tensor('int32', [1, 2], [1, 2]) }, 8))).toBe('INPUT_INVALID');
    expect(edgeCode(() => inspectRequest(layout, { a: ok, b: f32([1, 2, 3], [1, 3]) }, 8))).toBe('INPUT_INVALID');
    expect(edgeCode(() => inspectRequest(layout, { a: ok, b: f32([1, 2, 3, 4], [2, 2]) }, 8))).toBe('INPUT_INVALID');
    expect(edgeCode(() => inspectRequest(layout, { a: ok, b: [1, 2] as unknown as Tensor }, 8))).toBe('INPUT_INVALID');
    expect(() => inspectRequest(layout, { a: f32(new Array(18).fill(0), [9, 2]), b: f32(new Array(18).fill(0), [9, 2]) }, 8)).toThrow(/9 rows .* 1\.\.8 rows per request/);
    expect(edgeCode(() => inspectRequest(layout, { a: f32([], [0, 2]), b: f32([], [0, 2]) }, 8))).toBe('INPUT_INVALID');
  });
});
