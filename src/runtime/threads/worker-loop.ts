// Inside an intra-op worker: holds a single-threaded InferenceSession of the session's optimized model,
// runs the slices the main thread posts, and answers through shared memory (the main thread may be
// blocked in Atomics.wait, so it cannot receive messages).

import { InferenceSession } from '../session.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DataType } from '../../tensor/dtype.js';
import { CONTROL, serializeError, STATUS, type FromWorker, type InitMessage, type RunMessage, type ToWorker } from './protocol.js';
import { packedBytes, packTensors, unpackTensors, type PackedTensor } from './region.js';
import type { Endpoint } from './transport.js';

export interface WorkerLoop {
  /** Reports the worker as gone (called from the platform's exit hook), waking a main thread that waits on it. */
  markDead(): void;
}

export function serveWorker(parent: Endpoint): WorkerLoop {
  let session: InferenceSession | undefined;
  let inputTypes: DataType[] = [];
  let status: Int32Array | undefined;
  let control: SharedArrayBuffer | undefined;
  let input: SharedArrayBuffer | undefined;
  let output: SharedArrayBuffer | undefined;
  // Outputs of the last run, kept until the next one in case the main thread asks for them again (resend).
  let last: PackedTensor[] = [];

  const finish = (state: number) => {
    Atomics.store(status!, CONTROL.status, state);
    Atomics.notify(status!, CONTROL.status);
  };

  const fail = (err: unknown) => {
    const text = new TextEncoder().encode(JSON.stringify(serializeError(err)));
    const room = CONTROL.bytes - CONTROL.errorOffset;
    // A message too long for the block is cut; the JSON then does not parse and the main thread says so.
    const n = Math.min(text.length, room);
    new Uint8Array(control!, CONTROL.errorOffset, room).set(text.subarray(0, n));
    status![CONTROL.errorBytes] = n;
    finish(STATUS.FAILED);
  };

  const sendOutputs = () => {
    const needed = packedBytes(last);
    if (!output || output.byteLength < needed) {
      new Float64Array(control!, 0, 2)[CONTROL.neededF64] = needed;
      finish(STATUS.NEED_SPACE);
      return;
    }
    packTensors(output, last);
    finish(STATUS.DONE);
  };

  const init = async (m: InitMessage) => {
    control = m.control;
    status = new Int32Array(control);
    try {
      const bytes = new Uint8Array(m.model, 0, m.modelBytes).slice();
      // Already optimized by the main session: running the passes again would only cost time.
      session = await InferenceSession.create(bytes, { backend: m.backend, graphOptimizationLevel: 'disabled' });
      inputTypes = session.inputMetadata.map((i) => i.type);
      parent.post({ kind: 'ready' } satisfies FromWorker);
    } catch (err) {
      parent.post({ kind: 'failed', error: serializeError(err) } satisfies FromWorker);
    }
  };

  const run = (m: RunMessage) => {
    try {
      if (m.input) input = m.input;
      if (m.output) output = m.output;
      if (!session || !input) throw new Error('worker received a run before its model');
      const slices = unpackTensors(input, inputTypes);
      const feeds: Record<string, Tensor> = {};
      session.inputNames.forEach((name, i) => (feeds[name] = new Tensor(inputTypes[i]!, slices[i]!.data, slices[i]!.dims)));
      const result = session.runSync(feeds, m.fetches);
      last = m.fetches.map((f) => result[f]!);
    } catch (err) {
      last = [];
      fail(err);
      return;
    }
    sendOutputs();
  };

  parent.onMessage((message) => {
    const m = message as ToWorker;
    if (m.kind === 'init') void init(m);
    else if (m.kind === 'run') run(m);
    else if (m.kind === 'resend') {
      output = m.output;
      sendOutputs();
    }
  });

  return {
    markDead() {
      if (status) finish(STATUS.DEAD);
    },
  };
}
