// Cutting an int8 Conv / GEMM across kernel threads: a share runs the same kernel on a range of output channels (or
// GEMM columns) and reads its bias and scales from the channel it starts at, so each block of channels gets its own
// QOut block (qcommon.ts) whose per-channel pointers are advanced to that block: a share passes the block it starts at.

import type { WasmKernels } from '../kernel-def.js';

/** Bytes of one QOut block (8 int32). */
export const QOUT_BYTES = 32;

/**
 * Copies the QOut block at `params` once per block of `step` channels (ceil(channels / step) blocks, 32 bytes apart),
 * bias and scale pointers advanced to the block's first channel; `ldy` goes in the GEMM's row-stride slot. Block 0 is
 * the whole node's parameters.
 */
export function uploadQOutShares(wasm: WasmKernels, params: number, channels: number, step: number, ldy = 0): number {
  const base = new Int32Array(wasm.memory.buffer, params, 8).slice();
  const blocks = Math.max(1, Math.ceil(channels / step));
  const ptr = wasm.alloc(blocks * QOUT_BYTES, 16);
  const view = new Int32Array(wasm.memory.buffer, ptr, blocks * 8);
  for (let b = 0; b < blocks; b++) {
    view.set(base, b * 8);
    view[b * 8] = base[0]! + b * step * 4;
    view[b * 8 + 1] = base[1]! + b * step * 4;
    view[b * 8 + 2] = ldy;
  }
  return ptr;
}
