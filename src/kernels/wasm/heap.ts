// The allocator over the kernels' WebAssembly memory: first fit from the blocks given back, else the top of the
// heap, growing the memory. One memory serves every session of the process, so what a plan or a session releases
// must be reusable: with a bump allocator each session created, and each input shape planned, grew it for good.

import { EdgeError } from '../../errors.js';
import { WASM_PAGE_BYTES, type WasmMemory } from './wasm-api.js';

/** A live allocation: [start, end) includes the alignment padding before its pointer; seq orders allocations. */
interface Block {
  start: number;
  end: number;
  seq: number;
}

export interface HeapStats {
  /** One past the highest byte in use or in the free list. */
  top: number;
  liveBytes: number;
  /** Bytes below `top` that wait in the free list. */
  freeBytes: number;
  liveBlocks: number;
}

export class WasmHeap {
  private top: number;
  private seq = 0;
  private readonly live = new Map<number, Block>();
  /** Given-back ranges below `top`, sorted by start, never touching each other (merged). */
  private readonly holes: { start: number; end: number }[] = [];

  constructor(
    private readonly memory: WasmMemory,
    /** First byte the heap may hand out (after the module's static data). */
    readonly base: number,
  ) {
    this.top = base;
  }

  /**
   * `bytes` of zeroed memory at an `align`-aligned offset (a power of two). Growth detaches the old ArrayBuffer:
   * re-create typed-array views after any alloc.
   */
  alloc(bytes: number, align = 16): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new EdgeError('INTERNAL', `wasm alloc: ${bytes} bytes, expected a non-negative integer`, { actual: bytes });
    }
    if (!Number.isSafeInteger(align) || align < 1 || (align & (align - 1)) !== 0) {
      throw new EdgeError('INTERNAL', `wasm alloc: alignment ${align}, expected a power of two`, { actual: align });
    }
    const size = Math.max(bytes, 1); // every allocation gets a pointer of its own
    let ptr = -1;
    let start = 0;
    for (let i = 0; i < this.holes.length && ptr < 0; i++) {
      const hole = this.holes[i]!;
      const at = alignUp(hole.start, align);
      if (at + size > hole.end) continue;
      [ptr, start] = [at, hole.start];
      if (at + size === hole.end) this.holes.splice(i, 1);
      else hole.start = at + size;
    }
    if (ptr < 0) {
      [ptr, start] = [alignUp(this.top, align), this.top];
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    this.live.set(ptr, { start, end: ptr + size, seq: ++this.seq });
    // Bytes given back keep their last owner's data; kernels and plans may count on fresh memory being zero.
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Gives back an allocation; INTERNAL for a pointer that is not one (a double free would corrupt the heap). */
  free(ptr: number): void {
    const block = this.live.get(ptr);
    if (!block) throw new EdgeError('INTERNAL', `wasm free: ${ptr} is not a live allocation`, { actual: ptr });
    this.live.delete(ptr);
    this.giveBack(block.start, block.end);
  }

  /** The sequence number the next allocation will follow: reset(mark) gives back everything allocated since. */
  mark(): number {
    return this.seq;
  }

  /** Frees every allocation made after `mark` (default: all of them). */
  reset(mark = 0): void {
    if (!Number.isSafeInteger(mark) || mark < 0 || mark > this.seq) {
      throw new EdgeError('INTERNAL', `wasm reset: mark ${mark} is outside [0, ${this.seq}]`, { actual: mark });
    }
    for (const [ptr, block] of this.live) if (block.seq > mark) this.free(ptr);
  }

  stats(): HeapStats {
    let liveBytes = 0;
    for (const b of this.live.values()) liveBytes += b.end - b.start;
    return { top: this.top, liveBytes, freeBytes: this.holes.reduce((s, h) => s + h.end - h.start, 0), liveBlocks: this.live.size };
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / WASM_PAGE_BYTES));
    } catch (err) {
      throw new EdgeError('LIMIT_EXCEEDED', `wasm alloc: cannot grow the WebAssembly memory to ${end} bytes`, { cause: err, actual: end });
    }
  }

  /** Puts [start, end) back: merged with the holes it touches, or lowering the top when it ends there. */
  private giveBack(start: number, end: number): void {
    let i = 0;
    while (i < this.holes.length && this.holes[i]!.start < start) i++;
    const before = this.holes[i - 1];
    const after = this.holes[i];
    if (before && before.end === start) {
      before.end = end;
      if (after && after.start === end) {
        before.end = after.end;
        this.holes.splice(i, 1);
      }
    } else if (after && after.start === end) {
      after.start = start;
    } else {
      this.holes.splice(i, 0, { start, end });
    }
    const last = this.holes[this.holes.length - 1];
    if (last && last.end === this.top) {
      this.top = last.start;
      this.holes.pop();
    }
  }
}

const alignUp = (n: number, align: number) => Math.ceil(n / align) * align;
