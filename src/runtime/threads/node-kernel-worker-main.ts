// Entry of a kernel worker under Node (worker_threads): wires the parent port to the kernel worker loop.

import { parentPort } from 'node:worker_threads';
import { serveKernelWorker } from './kernel-worker.js';

const port = parentPort;
if (!port) throw new Error('node-kernel-worker-main runs as a worker thread (see node-transport.ts)');
const worker = serveKernelWorker({ post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) });
process.on('exit', () => worker.markDead());
