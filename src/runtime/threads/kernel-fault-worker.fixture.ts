// Test-only kernel worker entry: the real start-up, then a call loop misbehaving as workerData.fault says
// ('idle': never takes a call, so the main thread takes each back; 'fail': takes every call and reports a
// failure; 'exit': the thread stops when the first call comes), to test that every share still runs.

import { parentPort, workerData } from 'node:worker_threads';
import { KERNEL_CONTROL as C, KERNEL_STATE } from './kernel-protocol.js';
import { serveKernelWorker } from './kernel-worker.js';

const port = parentPort!;
const fault = (workerData as { fault?: string }).fault;
const worker = serveKernelWorker({ post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) }, (init) => {
  const ctl = new Int32Array(init.control);
  let seen = 0; // calls are numbered from 1: one posted before this loop started is still seen
  for (;;) {
    Atomics.wait(ctl, C.seq, seen);
    const seq = Atomics.load(ctl, C.seq);
    if (seq === seen) continue;
    seen = seq;
    if (fault === 'exit') process.exit(3);
    if (fault === 'idle' || Atomics.compareExchange(ctl, C.task, seq, 0) !== seq) continue;
    ctl[C.state] = KERNEL_STATE.FAILED;
    Atomics.store(ctl, C.done, seq);
    Atomics.notify(ctl, C.done);
  }
});
process.on('exit', () => worker.markDead());
