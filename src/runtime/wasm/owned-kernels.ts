// The kernels as one owner sees them: every allocation made through this view (a plan's packed weights, tables,
// parameter blocks and arena) is recorded, so that releaseAll() gives them back to the process-wide heap when the
// plan is evicted or its session released.

import { EdgeError } from '../../errors.js';
import type { WasmKernels } from './kernel-def.js';

export interface OwnedKernels extends WasmKernels {
  /** Frees every allocation still held through this view; the view stays usable. */
  releaseAll(): void;
  /** Bytes held through this view. */
  readonly ownedBytes: number;
}

export function ownedKernels(wasm: WasmKernels): OwnedKernels {
  /** Live pointers of this owner, with the owner's own sequence numbers (for mark / reset). */
  const owned = new Map<number, { seq: number; bytes: number }>();
  let seq = 0;
  let bytes = 0;
  const free = (ptr: number) => {
    const entry = owned.get(ptr);
    if (!entry) throw new EdgeError('INTERNAL', `wasm free: ${ptr} was not allocated by this owner`, { actual: ptr });
    owned.delete(ptr);
    bytes -= entry.bytes;
    wasm.free(ptr);
  };
  return {
    ...wasm,
    alloc(n: number, align?: number): number {
      const ptr = wasm.alloc(n, align);
      owned.set(ptr, { seq: ++seq, bytes: n });
      bytes += n;
      return ptr;
    },
    free,
    mark: () => seq,
    reset(mark = 0): void {
      for (const [ptr, entry] of owned) if (entry.seq > mark) free(ptr);
    },
    releaseAll(): void {
      for (const ptr of [...owned.keys()]) free(ptr);
    },
    get ownedBytes() {
      return bytes;
    },
  };
}
