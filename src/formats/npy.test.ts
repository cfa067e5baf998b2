import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { readNpy, writeNpy } from './npy.js';

describe('.npy', () => {
  it('round-trips every dtype', () => {
    for (const t of [
      new Tensor('float32', [1.5, -2, 3, 4, 5, 6], [2, 3]),
      new Tensor('int64', [1n, -2n], [2]),
      new Tensor('uint8', [0, 255], [1, 2]),
      new Tensor('bool', [1, 0, 1], [3]),
      new Tensor('float64', [Math.PI], []),
    ]) {
      const back = readNpy(writeNpy(t));
      expect(back.type).toBe(t.type);
      expect(back.dims).toEqual(t.dims);
      expect(back.toNumbers()).toEqual(t.toNumbers());
    }
  });

  it('gives clear errors for bad files', () => {
    const good = writeNpy(new Tensor('float32', [1, 2, 3, 4], [2, 2]));
    const bad = (bytes: Uint8Array, pattern: RegExp) => {
      expect(() => readNpy(bytes, 'calib.npy')).toThrow(EdgeError);
      expect(() => readNpy(bytes, 'calib.npy')).toThrow(pattern);
    };
    bad(new Uint8Array(), /not a \.npy file/);
    bad(new TextEncoder().encode('hello world, not numpy'), /not a \.npy file/);
    bad(good.subarray(0, good.length - 3), /truncated/);
    bad(good.subarray(0, 20), /truncated|malformed/);
    const header = new TextEncoder().encode("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 1000), }\n");
    const evil = new Uint8Array(10 + header.length);
    evil.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(evil.buffer).setUint16(8, header.length, true);
    evil.set(header, 10);
    expect(() => readNpy(evil)).toThrow(/elements, more than the limit/);
    const wrongType = good.slice();
    wrongType.set(new TextEncoder().encode('>f4'), good.indexOf(0x3c));
    expect(() => readNpy(wrongType)).toThrow(/not supported/);
  });
});
