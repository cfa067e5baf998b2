// Test-only worker entry: the real worker loop, misbehaving on its first run as workerData.fault says
// ('exit': the thread stops mid-run; 'hang': it never answers), to test recovery and time bounds.

import { parentPort, workerData } from 'node:worker_threads';
import type { ToWorker } from './protocol.js';
import { serveWorker } from './worker-loop.js';

const port = parentPort!;
const fault = (workerData as { fault?: string }).fault;
const loop = serveWorker({
  post: (m) => port.postMessage(m),
  onMessage: (handler) =>
    port.on('message', (m: ToWorker) => {
      if (m.kind === 'run' && fault === 'exit') process.exit(3);
      if (m.kind === 'run' && fault === 'hang') return;
      handler(m);
    }),
});
process.on('exit', () => loop.markDead());
