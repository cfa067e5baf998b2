// What the main thread and a kernel worker share: the start message, and the layout of the control block
// through which every call is handed over (no message per call: the main thread may be inside a run).

import { MAX_KERNEL_ARGS } from '../../kernels/wasm/call-args.js';
import type { WasmMemory } from '../../kernels/wasm/wasm-api.js';

export interface KernelWorkerInit {
  kind: 'init';
  /** The shared WebAssembly memory the worker instantiates the shared build on. */
  memory: WasmMemory;
  control: SharedArrayBuffer;
  /** How long an idle worker keeps polling for the next call before it sleeps (ms). */
  spinMs: number;
}

export type FromKernelWorker = { kind: 'ready' } | { kind: 'failed'; message: string };

/**
 * Int32 words of a worker's control block, then the call's arguments (Float64) and an error text. The main
 * thread writes `kernel` and the arguments, sets `task` to the new sequence number and bumps `seq`. Whoever
 * turns `task` from that number to 0 first (Atomics.compareExchange) runs the call: the worker, or the main
 * thread when the worker has not started by the time its own share is done (a worker descheduled on a busy
 * machine then costs nothing). The worker reports a call it ran by setting `state` and storing its number
 * into `done`.
 */
export const KERNEL_CONTROL = {
  seq: 0,
  done: 1,
  /** Index in KERNEL_NAMES, or STOP_KERNEL. */
  kernel: 2,
  state: 3,
  errorBytes: 4,
  task: 5,
  argsOffset: 64,
  errorOffset: 64 + 8 * MAX_KERNEL_ARGS,
  bytes: 64 + 8 * MAX_KERNEL_ARGS + 2048,
} as const;

export const KERNEL_STATE = { OK: 0, FAILED: 1, DEAD: 2 } as const;

/** The `kernel` word that ends a worker's loop. */
export const STOP_KERNEL = -1;
