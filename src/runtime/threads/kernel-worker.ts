// Inside a kernel worker: instantiates the shared-memory kernels on the main thread's memory, then loops
// forever on its control block: poll (spin) for the next call, sleep in Atomics.wait when idle for long,
// claim the call, run it, report. No messages after start-up, so a call costs no event-loop turn.

import { callWithArgs } from '../../kernels/wasm/call-args.js';
import { KERNEL_NAMES } from '../../kernels/wasm/kernel-functions.js';
import { instantiateOnMemory } from '../../kernels/wasm/module.js';
import { KERNEL_CONTROL as C, KERNEL_STATE, STOP_KERNEL, type FromKernelWorker, type KernelWorkerInit } from './kernel-protocol.js';
import type { Endpoint } from './transport.js';

export interface KernelWorker {
  /** Reports the worker as gone (from the platform's exit hook), so that a main thread waiting on it stops. */
  markDead(): void;
}

/** The loop that serves calls once the kernels are instantiated (tests pass a misbehaving one). */
export type CallLoop = (init: KernelWorkerInit, table: ((...args: number[]) => unknown)[]) => void;

export function serveKernelWorker(parent: Endpoint, loop: CallLoop = serveCalls): KernelWorker {
  let control: Int32Array | undefined;
  parent.onMessage((message) => {
    const init = message as KernelWorkerInit;
    if (init.kind !== 'init') return;
    control = new Int32Array(init.control);
    instantiateOnMemory(init.memory).then(
      ({ fn }) => {
        const table = KERNEL_NAMES.map((name) => fn[name] as (...args: number[]) => unknown);
        parent.post({ kind: 'ready' } satisfies FromKernelWorker);
        // After this turn the loop owns the thread until STOP.
        setTimeout(() => loop(init, table), 0);
      },
      (err: unknown) => parent.post({ kind: 'failed', message: (err as Error).message } satisfies FromKernelWorker),
    );
  });
  return {
    markDead() {
      if (!control) return;
      Atomics.store(control, C.state, KERNEL_STATE.DEAD);
      Atomics.store(control, C.done, Atomics.load(control, C.seq));
      Atomics.notify(control, C.done);
    },
  };
}

function serveCalls(init: KernelWorkerInit, table: ((...args: number[]) => unknown)[]): void {
  const ctl = new Int32Array(init.control);
  const args = new Float64Array(init.control, C.argsOffset, (C.errorOffset - C.argsOffset) / 8);
  let seen = 0; // calls are numbered from 1: one posted before this loop started is still seen
  for (;;) {
    let seq = Atomics.load(ctl, C.seq);
    if (seq === seen) {
      // Poll while calls keep coming (a node every few microseconds during a run); sleep once idle.
      const until = performance.now() + init.spinMs;
      for (let i = 1; (seq = Atomics.load(ctl, C.seq)) === seen; i++) {
        if ((i & 1023) === 0 && performance.now() > until) Atomics.wait(ctl, C.seq, seen);
      }
    }
    seen = seq;
    const kernel = ctl[C.kernel]!;
    if (kernel === STOP_KERNEL) return;
    // Taken back by the main thread (or superseded by a later call, seen on the next turn).
    if (Atomics.compareExchange(ctl, C.task, seq, 0) !== seq) continue;
    let state: number = KERNEL_STATE.OK;
    try {
      callWithArgs(table[kernel]!, args);
    } catch (err) {
      state = KERNEL_STATE.FAILED;
      const text = new TextEncoder().encode(`${KERNEL_NAMES[kernel]}: ${(err as Error).message}`);
      const n = Math.min(text.length, C.bytes - C.errorOffset);
      new Uint8Array(init.control, C.errorOffset, n).set(text.subarray(0, n));
      ctl[C.errorBytes] = n;
    }
    ctl[C.state] = state;
    Atomics.store(ctl, C.done, seq);
    Atomics.notify(ctl, C.done);
  }
}
