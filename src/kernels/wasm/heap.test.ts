// The kernel heap: blocks given back are reused (first fit, merged with their neighbours, the top lowered), memory
// handed out is zeroed, and misuse is an EdgeError rather than a corrupted heap.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../../errors.js';
import { WasmHeap } from './heap.js';
import { WASM_PAGE_BYTES } from './wasm-api.js';

const BASE = 1024;
const newHeap = () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  return { memory, heap: new WasmHeap(memory, BASE) };
};

describe('WasmHeap', () => {
  it('reuses a freed block for an allocation that fits, and keeps the rest of the hole', () => {
    const { heap } = newHeap();
    const a = heap.alloc(256);
    const b = heap.alloc(256);
    const c = heap.alloc(64);
    heap.free(a);
    expect(heap.alloc(100)).toBe(a);
    // The hole's remainder [a + 100, a + 256) takes a 16-aligned block of up to 144 bytes.
    expect(heap.alloc(128)).toBe(a + 112);
    expect(heap.alloc(300)).toBeGreaterThan(c); // no hole is big enough: from the top
    expect(heap.stats().liveBlocks).toBe(5);
    void b;
  });

  it('merges neighbouring holes and lowers the top when the last block goes', () => {
    const { heap } = newHeap();
    const blocks = [heap.alloc(100), heap.alloc(100), heap.alloc(100), heap.alloc(100)];
    const top = heap.stats().top;
    heap.free(blocks[0]!);
    heap.free(blocks[2]!);
    heap.free(blocks[1]!); // joins both holes: one hole [BASE, end of block 2)
    expect(heap.stats()).toMatchObject({ top, liveBlocks: 1, freeBytes: blocks[2]! + 100 - BASE });
    expect(heap.alloc(300)).toBe(BASE);
    heap.free(blocks[3]!);
    heap.free(BASE);
    expect(heap.stats()).toEqual({ top: BASE, liveBytes: 0, freeBytes: 0, liveBlocks: 0 });
  });

  it('hands out zeroed memory, also where a freed block held data', () => {
    const { memory, heap } = newHeap();
    const a = heap.alloc(64);
    new Uint8Array(memory.buffer, a, 64).fill(7);
    heap.free(a);
    const b = heap.alloc(64);
    expect(b).toBe(a);
    expect(new Uint8Array(memory.buffer, b, 64).every((v) => v === 0)).toBe(true);
  });

  it('aligns inside holes and grows the memory past its end', () => {
    const { memory, heap } = newHeap();
    const a = heap.alloc(40, 8);
    heap.alloc(8);
    heap.free(a);
    expect(heap.alloc(8, 64) % 64).toBe(0);
    const big = heap.alloc(2 * WASM_PAGE_BYTES);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 2 * WASM_PAGE_BYTES);
  });

  it('frees by mark: what was allocated after it', () => {
    const { heap } = newHeap();
    const keep = heap.alloc(32);
    const mark = heap.mark();
    heap.alloc(32);
    heap.alloc(32);
    heap.reset(mark);
    expect(heap.stats()).toMatchObject({ liveBlocks: 1, top: keep + 32 });
    heap.reset();
    expect(heap.stats().liveBlocks).toBe(0);
  });

  it('a double free, an unknown pointer or a bad mark is EdgeError INTERNAL', () => {
    const { heap } = newHeap();
    const a = heap.alloc(16);
    heap.free(a);
    for (const f of [() => heap.free(a), () => heap.free(BASE + 3), () => heap.reset(99), () => heap.alloc(-1), () => heap.alloc(8, 12)]) {
      expect(f).toThrow(EdgeError);
    }
  });

  it('stays bounded under a churn of allocations of many sizes (no leak, holes reused)', () => {
    const { heap } = newHeap();
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const live: number[] = [];
    let highest = 0;
    for (let i = 0; i < 5000; i++) {
      if (live.length > 20 || (live.length > 0 && rand(2) === 0)) heap.free(live.splice(rand(live.length), 1)[0]!);
      else live.push(heap.alloc(1 + rand(4000), 1 << rand(7)));
      highest = Math.max(highest, heap.stats().top);
    }
    // At most 21 live blocks of < 4 KiB each (+ alignment): fragmentation keeps the top within a small multiple.
    expect(highest - BASE).toBeLessThan(21 * 4096 * 4);
    for (const p of live) heap.free(p);
    expect(heap.stats()).toEqual({ top: BASE, liveBytes: 0, freeBytes: 0, liveBlocks: 0 });
  });
});
