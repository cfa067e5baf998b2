// The binding: one instance per process and variant, SIMD by default, EDGEINFER_WASM, the allocator and its
// growth, views, and traps reported as EdgeError INTERNAL naming the kernel.

import { afterEach, describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { ACT } from './codes.js';
import { KERNEL_NAMES } from './kernel-functions.js';
import { loadWasmKernels, wasmVariantSupported } from './module.js';
import { TEST_VARIANTS } from './test-helpers.js';
import { WASM_PAGE_BYTES } from './wasm-api.js';

async function rejection(p: Promise<unknown>): Promise<EdgeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EdgeError);
    return err as EdgeError;
  }
  throw new Error('expected a rejection');
}

describe('loadWasmKernels', () => {
  const saved = process.env.EDGEINFER_WASM;
  afterEach(() => {
    if (saved === undefined) delete process.env.EDGEINFER_WASM;
    else process.env.EDGEINFER_WASM = saved;
  });

  it('picks SIMD128 by default on an engine that validates SIMD (Node >= 16)', async () => {
    delete process.env.EDGEINFER_WASM;
    expect(wasmVariantSupported('wasmsimd')).toBe(true);
    const k = await loadWasmKernels();
    expect(k.variant).toBe('wasmsimd');
    expect(k.kernelName('f32_gemm_4x8')).toBe('f32_gemm_4x8__wasmsimd');
  });

  it('instantiates once per variant', async () => {
    const [a, b] = await Promise.all([loadWasmKernels({ variant: 'scalar' }), loadWasmKernels({ variant: 'scalar' })]);
    expect(a).toBe(b);
    expect(await loadWasmKernels({ variant: 'wasmsimd' })).not.toBe(a);
  });

  it('EDGEINFER_WASM=scalar forces the scalar build; an unknown value is INPUT_INVALID', async () => {
    process.env.EDGEINFER_WASM = 'scalar';
    expect((await loadWasmKernels()).variant).toBe('scalar');
    process.env.EDGEINFER_WASM = 'avx512';
    const err = await rejection(loadWasmKernels());
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toContain("EDGEINFER_WASM is 'avx512'");
  });

  it('binds every kernel in every build this engine runs', async () => {
    for (const variant of TEST_VARIANTS) {
      const k = await loadWasmKernels({ variant });
      for (const name of KERNEL_NAMES) expect(typeof k.fn[name], `${name}__${variant}`).toBe('function');
    }
  });

  it('refuses relaxed SIMD with a clear error where the engine lacks it', async () => {
    if (wasmVariantSupported('wasmrelaxedsimd')) {
      expect((await loadWasmKernels({ variant: 'wasmrelaxedsimd' })).variant).toBe('wasmrelaxedsimd');
      return;
    }
    const err = await rejection(loadWasmKernels({ variant: 'wasmrelaxedsimd' }));
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.message).toContain('relaxed SIMD is not supported');
  });
});

describe('allocator and views', () => {
  it('aligns, grows the memory on demand and resets to a mark', async () => {
    const k = await loadWasmKernels({ variant: 'scalar' });
    k.reset();
    const a = k.alloc(3, 1);
    expect(a).toBe(k.heapBase);
    const b = k.alloc(10);
    expect(b % 16).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 3);
    const c = k.alloc(8, 64);
    expect(c % 64).toBe(0);
    const mark = k.mark();
    const before = k.memory.buffer.byteLength;
    const big = k.alloc(before + 3 * WASM_PAGE_BYTES);
    expect(k.memory.buffer.byteLength).toBeGreaterThanOrEqual(big + before + 3 * WASM_PAGE_BYTES);
    // A view made after the growth sees the whole new buffer.
    const view = k.f32(big, 4);
    view.set([1, 2, 3, 4]);
    expect(Array.from(k.f32(big, 4))).toEqual([1, 2, 3, 4]);
    k.reset(mark);
    // The big block went back at the top: the next allocation takes its place.
    expect(k.alloc(4, 4)).toBe(c + 8);
    k.reset();
    expect(k.heapStats()).toMatchObject({ top: k.heapBase, liveBytes: 0, freeBytes: 0 });
    expect(k.alloc(3, 1)).toBe(k.heapBase);
  });

  it('rejects bad sizes, alignments, marks and views with EdgeError', async () => {
    const k = await loadWasmKernels({ variant: 'scalar' });
    k.reset();
    expect(() => k.alloc(-1)).toThrow(EdgeError);
    expect(() => k.alloc(1.5)).toThrow(EdgeError);
    expect(() => k.alloc(4, 3)).toThrow(EdgeError);
    expect(() => k.reset(k.heapBase - 4)).toThrow(EdgeError);
    expect(() => k.reset(-1)).toThrow(EdgeError);
    expect(() => k.free(k.heapBase + 1)).toThrow(/not a live allocation/);
    expect(() => k.f32(2, 1)).toThrow(EdgeError);
    expect(() => k.f32(0, k.memory.buffer.byteLength)).toThrow(EdgeError);
    expect(() => k.alloc(8 * 1024 * 1024 * 1024)).toThrow(/cannot grow/);
  });
});

describe('traps', () => {
  it.each(TEST_VARIANTS)('an out-of-bounds access in the %s build is EdgeError INTERNAL naming the kernel', async (variant) => {
    const k = await loadWasmKernels({ variant });
    const beyond = k.memory.buffer.byteLength + 1024;
    let caught: unknown;
    try {
      k.fn.f32_vact_x8(beyond, beyond, 16, ACT.relu, 0, 0);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EdgeError);
    const err = caught as EdgeError;
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toContain(`f32_vact_x8__${variant} trapped`);
    expect(err.message).toMatch(/out of bounds/);
  });
});
