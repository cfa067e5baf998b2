// The WebAssembly backend's process-wide state: the kernel module (instantiated once) and the kernel table.

import { loadWasmKernels } from '../../kernels/wasm/module.js';
import type { WasmKernelTable, WasmKernels } from './kernel-def.js';
import { WASM_KERNELS } from './kernels/index.js';

export interface WasmBackend {
  memory: WasmKernels;
  kernels: WasmKernelTable;
}

export async function loadWasmBackend(): Promise<WasmBackend> {
  return { memory: await loadWasmKernels(), kernels: WASM_KERNELS };
}
