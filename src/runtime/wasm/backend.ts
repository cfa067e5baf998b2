// The WebAssembly backend's process-wide state: the kernel module's memory and the kernel table.

import type { WasmKernelTable, WasmMemory } from './kernel-def.js';

export interface WasmBackend {
  memory: WasmMemory;
  kernels: WasmKernelTable;
}

let backend: Promise<WasmBackend> | undefined;

/** Instantiated once per process. */
export function loadWasmBackend(): Promise<WasmBackend> {
  backend ??= Promise.resolve(createBackend());
  return backend;
}

function createBackend(): WasmBackend {
  // Provisional: a plain memory with a bump allocator until the kernel module is wired in.
  const memory = new WebAssembly.Memory({ initial: 16 });
  let top = 1024;
  const alloc = (bytes: number, align = 16): number => {
    const start = Math.ceil(top / align) * align;
    const end = start + bytes;
    const need = Math.ceil((end - memory.buffer.byteLength) / 65536);
    if (need > 0) memory.grow(need);
    top = end;
    return start;
  };
  return { memory: { memory, alloc }, kernels: {} };
}
