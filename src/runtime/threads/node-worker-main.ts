// Entry of an intra-op worker under Node (worker_threads): wires the parent port to the worker loop.

import { parentPort } from 'node:worker_threads';
import { serveWorker } from './worker-loop.js';

const port = parentPort;
if (!port) throw new Error('node-worker-main runs as a worker thread (see node-transport.ts)');
const loop = serveWorker({ post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) });
// A worker that stops (uncaught error, process.exit: both emit 'exit' here) wakes a main thread
// blocked on it instead of leaving it to time out.
process.on('exit', () => loop.markDead());
