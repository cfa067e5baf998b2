import { describe, expect, it } from 'vitest';
import { Tensor } from '../../tensor/tensor.js';
import { packedBytes, packTensors, unpackTensors } from './region.js';
import { batchSymbol, concatRows, sliceRows, sliceSizes } from './split.js';

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
  it('cuts n rows into contiguous slices, larger first', () => {
    expect(sliceSizes(8, 2)).toEqual([4, 4]);
    expect(sliceSizes(3, 2)).toEqual([2, 1]);
    expect(sliceSizes(7, 3)).toEqual([3, 2, 2]);
  });

  it('slices rows as views and concatenates them back', () => {
    const t = new Tensor('float32', Float32Array.from({ length: 15 }, (_, i) => i), [5, 3]);
    const rows = sliceSizes(5, 2);
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

describe('shared regions', () => {
  it('packs tensors of mixed dtypes 8-aligned and reads them back as views', () => {
    const x = new Tensor('uint8', Uint8Array.of(1, 2, 3), [3]);
    const y = new Tensor('int64', BigInt64Array.of(-5n, 7n), [1, 2]);
    const region = new SharedArrayBuffer(packedBytes([x, y]));
    packTensors(region, [x, y]);
    const [a, b] = unpackTensors(region, ['uint8', 'int64']);
    expect(Array.from(a!.data as Uint8Array)).toEqual([1, 2, 3]);
    expect(b!.dims).toEqual([1, 2]);
    expect(Array.from(b!.data as BigInt64Array)).toEqual([-5n, 7n]);
    expect(b!.data.byteOffset % 8).toBe(0);
  });
});
