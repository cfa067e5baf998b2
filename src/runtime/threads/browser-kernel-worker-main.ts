// Entry of a kernel worker in a browser (a module Web Worker): wires the worker scope to the kernel worker loop.

import { serveKernelWorker } from './kernel-worker.js';

/** The slice of a DedicatedWorkerGlobalScope the entry uses (the project compiles without the DOM lib). */
const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
};

serveKernelWorker({ post: (m) => scope.postMessage(m), onMessage: (h) => scope.addEventListener('message', (e) => h(e.data)) });
