// The main thread's side of the intra-op workers: starts them with the model, hands each one a slice
// through its shared regions, and waits for its answer on its control word (Atomics.wait, bounded).

import { EdgeError } from '../../errors.js';
import type { DataType } from '../../tensor/dtype.js';
import { CONTROL, deserializeError, STATUS, type FromWorker, type RunMessage, type SerializedError, type ToWorker } from './protocol.js';
import { ensureRegion, packedBytes, packTensors, unpackTensors, type PackedTensor } from './region.js';
import type { SpawnWorker, WorkerTransport } from './transport.js';

interface Slot {
  transport: WorkerTransport;
  status: Int32Array;
  control: SharedArrayBuffer;
  input?: SharedArrayBuffer;
  output?: SharedArrayBuffer;
  /** Regions the worker holds: a region is posted again only when it was replaced. */
  sentInput?: SharedArrayBuffer;
  sentOutput?: SharedArrayBuffer;
}

export interface PoolOptions {
  backend: 'wasm' | 'ref';
  workers: number;
  spawn: SpawnWorker;
  /** Bound on a worker's start (model load), ms. */
  startTimeoutMs: number;
  /** Called once when the pool stops by itself (a worker died or timed out), not on release(). */
  onStop(reason: string): void;
}

export class ThreadPool {
  private stopped = false;

  private constructor(
    private readonly slots: Slot[],
    private readonly onStop: (reason: string) => void,
  ) {
    slots.forEach((slot, i) => slot.transport.onExit((reason) => this.stop(`thread ${i + 1}: ${reason}`)));
  }

  /** Starts every worker on the model bytes; throws (after stopping those started) when one cannot load it. */
  static async start(model: Uint8Array, o: PoolOptions): Promise<ThreadPool> {
    const shared = new SharedArrayBuffer(model.byteLength);
    new Uint8Array(shared).set(model);
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < o.workers; i++) {
        const control = new SharedArrayBuffer(CONTROL.bytes);
        slots.push({ transport: o.spawn(), control, status: new Int32Array(control) });
      }
      await Promise.all(slots.map((s, i) => ready(s, i, { kind: 'init', model: shared, modelBytes: model.byteLength, backend: o.backend, control: s.control }, o.startTimeoutMs)));
    } catch (err) {
      await Promise.all(slots.map((s) => s.transport.terminate()));
      throw err;
    }
    return new ThreadPool(slots, o.onStop);
  }

  /** Workers that can take a slice now (0 once the pool stopped). */
  get size(): number {
    return this.stopped ? 0 : this.slots.length;
  }

  /** Copies one slice's inputs into worker i's input region and starts it on them. */
  dispatch(i: number, inputs: readonly PackedTensor[], fetches: string[], outputBytes: number): void {
    const slot = this.slots[i]!;
    slot.input = ensureRegion(slot.input, packedBytes(inputs));
    slot.output = ensureRegion(slot.output, outputBytes);
    packTensors(slot.input, inputs);
    const message: RunMessage = { kind: 'run', fetches };
    if (slot.input !== slot.sentInput) message.input = slot.sentInput = slot.input;
    if (slot.output !== slot.sentOutput) message.output = slot.sentOutput = slot.output;
    Atomics.store(slot.status, CONTROL.status, STATUS.BUSY);
    slot.transport.post(message satisfies ToWorker);
  }

  /**
   * Waits until `deadline` (performance.now() ms) for worker i's outputs: views valid until its next
   * dispatch, or undefined when the worker died (the pool has then stopped; the caller runs the slice).
   * A worker's error is rethrown with its code; a worker past the deadline stops the pool (TIMEOUT).
   */
  collect(i: number, dtypes: readonly DataType[], deadline: number): PackedTensor[] | undefined {
    const slot = this.slots[i]!;
    for (;;) {
      const state = Atomics.load(slot.status, CONTROL.status);
      if (state === STATUS.BUSY) {
        const leftMs = deadline - performance.now();
        if (leftMs <= 0) {
          const reason = `thread ${i + 1} gave no answer within the run's time bound`;
          this.stop(reason);
          throw new EdgeError('TIMEOUT', `intra-op ${reason}; the session now runs single-threaded`, { details: { thread: i + 1 } });
        }
        Atomics.wait(slot.status, CONTROL.status, STATUS.BUSY, leftMs);
      } else if (state === STATUS.DONE) {
        Atomics.store(slot.status, CONTROL.status, STATUS.IDLE);
        return unpackTensors(slot.output!, dtypes);
      } else if (state === STATUS.NEED_SPACE) {
        // First run at this size, or outputs larger than guessed: a bigger region, and the same outputs again.
        slot.output = slot.sentOutput = ensureRegion(slot.output, new Float64Array(slot.control, 0, 2)[CONTROL.neededF64]!);
        Atomics.store(slot.status, CONTROL.status, STATUS.BUSY);
        slot.transport.post({ kind: 'resend', output: slot.output } satisfies ToWorker);
      } else if (state === STATUS.FAILED) {
        Atomics.store(slot.status, CONTROL.status, STATUS.IDLE);
        throw deserializeError(readError(slot), `intra-op thread ${i + 1}`);
      } else if (state === STATUS.DEAD) {
        this.stop(`thread ${i + 1} stopped during a run`);
        return undefined;
      } else {
        throw new EdgeError('INTERNAL', `intra-op thread ${i + 1}: control word in state ${state} while waiting for a run`);
      }
    }
  }

  /** Stops the workers; runs then stay on the caller's thread. */
  async release(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.slots.map((s) => s.transport.terminate()));
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.slots) void s.transport.terminate();
    this.onStop(reason);
  }
}

/** Posts init and waits for the worker's 'ready' (or its failure, exit, or the start bound). */
function ready(slot: Slot, i: number, init: ToWorker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EdgeError('TIMEOUT', `intra-op thread ${i + 1} did not load the model within ${timeoutMs} ms`)), timeoutMs);
    const settle = (err?: EdgeError) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    slot.transport.onExit((reason) => settle(new EdgeError('INTERNAL', `intra-op thread ${i + 1} stopped while loading the model: ${reason}`)));
    slot.transport.onMessage((m) => {
      const reply = m as FromWorker;
      settle(reply.kind === 'ready' ? undefined : deserializeError(reply.error, `intra-op thread ${i + 1}`));
    });
    slot.transport.post(init);
  });
}

function readError(slot: Slot): SerializedError {
  const n = slot.status[CONTROL.errorBytes]!;
  // Decoding needs a non-shared copy of the bytes.
  const text = new TextDecoder().decode(new Uint8Array(slot.control, CONTROL.errorOffset, n).slice());
  try {
    return JSON.parse(text) as SerializedError;
  } catch {
    return { code: 'INTERNAL', message: `a worker failed with an unreadable error: ${text.slice(0, 200)}` };
  }
}
