// The WebAssembly backend's process-wide state: the kernel module (instantiated once) and the kernel table.

import { loadWasmKernels } from '../../kernels/wasm/module.js';
import type { WasmKernelTable, WasmKernels } from './kernel-def.js';
import { WASM_KERNELS } from './kernels/index.js';

export interface WasmBackend {
  memory: WasmKernels;
  kernels: WasmKernelTable;
}

/** `shared`: the SIMD128 kernels on a shared memory, for intra-op threads (rejects where unavailable). */
export async function loadWasmBackend(options: { shared?: boolean } = {}): Promise<WasmBackend> {
  return { memory: await loadWasmKernels({ shared: options.shared }), kernels: WASM_KERNELS };
}
