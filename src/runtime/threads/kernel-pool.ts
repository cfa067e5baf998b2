// Intra-op threads of the WebAssembly backend: T − 1 workers, each with its own instance of the shared-memory
// kernels on this thread's memory. A node cut into ranges (KernelPartition) runs one range here and one on
// each worker at the same time; a call is handed over through the worker's control block (kernel-protocol.ts).

import { debugLog } from '../../env.js';
import { EdgeError } from '../../errors.js';
import { KERNEL_NAMES, type KernelName } from '../../kernels/wasm/kernel-functions.js';
import type { WasmKernels } from '../../kernels/wasm/module.js';
import { KERNEL_CONTROL as C, KERNEL_STATE, STOP_KERNEL, type FromKernelWorker, type KernelWorkerInit } from './kernel-protocol.js';
import type { SpawnWorker, WorkerTransport } from './transport.js';

interface Worker {
  transport: WorkerTransport;
  control: SharedArrayBuffer;
  ctl: Int32Array;
  args: Float64Array;
  seq: number;
}

export interface KernelPoolOptions {
  /** How to start a worker (default: Node's worker_threads, or a browser's module Web Workers). */
  spawn?: SpawnWorker;
  startTimeoutMs?: number;
  /** How long an idle worker polls before it sleeps (default 2 ms: a run's nodes come microseconds apart). */
  spinMs?: number;
}

/** This thread polls a worker's answer this long before it sleeps on it (where sleeping is allowed). */
const WAIT_SPIN_MS = 1;
/** Bound on a worker's share of one node: past it the worker is taken as hung. */
const CALL_TIMEOUT_MS = 30_000;

const kernelIndex = new Map<KernelName, number>(KERNEL_NAMES.map((name, i) => [name, i]));

export class KernelPool {
  private stopped = false;

  private constructor(private readonly workers: Worker[]) {
    workers.forEach((w, i) => w.transport.onExit((reason) => this.stop(`thread ${i + 1}: ${reason}`)));
  }

  /** Starts `count` workers on the shared kernels' memory; throws (after stopping those started) if one cannot. */
  static async start(wasm: WasmKernels, count: number, o: KernelPoolOptions = {}): Promise<KernelPool> {
    if (!wasm.shared) throw new EdgeError('INTERNAL', 'a kernel pool needs the shared-memory kernels (loadWasmKernels({ shared: true }))');
    const spawn = o.spawn ?? (await defaultSpawn());
    if (!spawn) throw new EdgeError('INPUT_INVALID', 'no worker threads on this platform');
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const control = new SharedArrayBuffer(C.bytes);
        const args = new Float64Array(control, C.argsOffset, (C.errorOffset - C.argsOffset) / 8);
        workers.push({ transport: spawn(), control, ctl: new Int32Array(control), args, seq: 0 });
      }
      const init = (w: Worker): KernelWorkerInit => ({ kind: 'init', memory: wasm.memory, control: w.control, spinMs: o.spinMs ?? 2 });
      await Promise.all(workers.map((w, i) => ready(w, i, init(w), o.startTimeoutMs ?? 60_000)));
    } catch (err) {
      await Promise.all(workers.map((w) => w.transport.terminate()));
      throw err;
    }
    return new KernelPool(workers);
  }

  /** Threads a node can be cut across now: this one and the live workers. */
  get threads(): number {
    return this.stopped ? 1 : 1 + this.workers.length;
  }

  /** Hands worker i the call of `kernel` with these arguments; it starts at once. */
  post(i: number, kernel: KernelName, args: Float64Array): void {
    const w = this.workers[i]!;
    w.args.set(args);
    w.ctl[C.kernel] = kernelIndex.get(kernel)!;
    w.seq = (w.seq % 0x3fffffff) + 1; // never 0: 0 marks a claimed task
    Atomics.store(w.ctl, C.task, w.seq);
    Atomics.store(w.ctl, C.seq, w.seq);
    Atomics.notify(w.ctl, C.seq);
  }

  /**
   * Waits for worker i's call: true when the worker ran it; false when the caller must run that share itself
   * — the worker had not started it (taken back), failed, or is gone (a kernel writes only its own share of
   * the output, so running it here is safe). A worker silent past the bound stops the pool (TIMEOUT).
   */
  finish(i: number): boolean {
    const w = this.workers[i]!;
    if (Atomics.compareExchange(w.ctl, C.task, w.seq, 0) === w.seq) return false;
    const start = performance.now();
    let sleepable = true;
    for (let n = 1; Atomics.load(w.ctl, C.done) !== w.seq; n++) {
      if ((n & 255) !== 0) continue;
      const waited = performance.now() - start;
      if (waited > CALL_TIMEOUT_MS) {
        const reason = `thread ${i + 1} gave no answer within ${CALL_TIMEOUT_MS} ms`;
        this.stop(reason);
        throw new EdgeError('TIMEOUT', `intra-op ${reason}; the session now runs single-threaded`, { details: { thread: i + 1 } });
      }
      if (waited > WAIT_SPIN_MS && sleepable) {
        try {
          const done = Atomics.load(w.ctl, C.done);
          if (done !== w.seq) Atomics.wait(w.ctl, C.done, done, CALL_TIMEOUT_MS - waited);
        } catch {
          sleepable = false; // a browser's main thread may not sleep: keep polling
        }
      }
    }
    const state = w.ctl[C.state];
    if (state === KERNEL_STATE.OK) return true;
    if (state === KERNEL_STATE.DEAD) this.stop(`thread ${i + 1} stopped during a run`);
    else debugLog(1, `intra-op thread ${i + 1} failed (${errorText(w)}); this thread ran its share`);
    return false;
  }

  /** Stops the workers; nodes then run whole on the caller's thread. */
  async release(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers) {
      w.ctl[C.kernel] = STOP_KERNEL;
      Atomics.store(w.ctl, C.seq, (w.seq = (w.seq % 0x3fffffff) + 1));
      Atomics.notify(w.ctl, C.seq);
    }
    await Promise.all(this.workers.map((w) => w.transport.terminate()));
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.workers) void w.transport.terminate();
    debugLog(1, `intra-op threads stopped (${reason}); running single-threaded from now on`);
  }
}

/** Posts init and waits for the worker's 'ready' (or its failure, exit, or the start bound). */
function ready(w: Worker, i: number, init: KernelWorkerInit, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EdgeError('TIMEOUT', `intra-op thread ${i + 1} did not start within ${timeoutMs} ms`)), timeoutMs);
    const settle = (err?: EdgeError) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    w.transport.onExit((reason) => settle(new EdgeError('INTERNAL', `intra-op thread ${i + 1} stopped while starting: ${reason}`)));
    w.transport.onMessage((m) => {
      const reply = m as FromKernelWorker;
      settle(reply.kind === 'ready' ? undefined : new EdgeError('INTERNAL', `intra-op thread ${i + 1} could not start: ${reply.message}`));
    });
    w.transport.post(init);
  });
}

function errorText(w: Worker): string {
  const n = w.ctl[C.errorBytes]!;
  return new TextDecoder().decode(new Uint8Array(w.control, C.errorOffset, n).slice());
}

/** Node's worker_threads, or Web Workers in a cross-origin isolated page. */
async function defaultSpawn(): Promise<SpawnWorker | undefined> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  return isNode ? (await import('./node-transport.js')).nodeSpawner() : (await import('./browser-transport.js')).browserSpawner();
}
