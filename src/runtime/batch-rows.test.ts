import { describe, expect, it } from 'vitest';
import { Tensor } from '../tensor/tensor.js';
import { batchSymbol, concatRows, sliceRows } from './batch-rows.js';

const meta = (name: string, shape: (number | string)[]) => ({ name, shape });

describe('batchSymbol', () => {
  it('accepts a symbolic dim 0 shared by every input and output', () => {
    expect(batchSymbol([meta('x', ['batch', 3]), meta('y', ['batch'])], [meta('z', ['batch', 10])])).toBe('batch');
  });
  it('refuses static, unknown, differing or missing dims 0', () => {
    expect(batchSymbol([meta('x', [4, 3])], [meta('z', [4, 10])])).toBeUndefined();
    expect(batchSymbol([meta('x', ['?', 3])], [meta('z', ['?', 10])])).toBeUndefined();
    expect(batchSymbol([meta('x', ['batch', 3])], [meta('z', ['n', 10])])).toBeUndefined();
    expect(batchSymbol([meta('x', ['batch', 3]), meta('h', [1, 3])], [meta('z', ['batch'])])).toBeUndefined();
    expect(batchSymbol([meta('x', ['batch'])], [meta('z', [])])).toBeUndefined();
    expect(batchSymbol([], [meta('z', ['batch'])])).toBeUndefined();
  });
});

describe('slicing and concatenation', () => {
  it('slices rows as views and concatenates them back', () => {
    const t = new Tensor('float32', Float32Array.from({ length: 15 }, (_, i) => i), [5, 3]);
    const rows = [3, 2];
    const a = sliceRows(t, 0, rows[0]!);
    const b = sliceRows(t, rows[0]!, rows[1]!);
    expect(a.dims).toEqual([3, 3]);
    expect(b.data[0]).toBe(9);
    expect(b.data.buffer).toBe(t.data.buffer);
    const back = concatRows('y', 'float32', [a, b], rows);
    expect(back.dims).toEqual([5, 3]);
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
  });

  it('refuses slices whose dim 0 is not their row count', () => {
    const a = new Tensor('float32', new Float32Array(6), [2, 3]);
    expect(() => concatRows('y', 'float32', [a, a], [2, 1])).toThrow(/slice 1 of 1 rows gave dims \[2,3\]/);
  });
});
