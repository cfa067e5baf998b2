// Browser transport of the kernel pool: one module Web Worker per thread, running browser-kernel-worker-main.
// Kernel threads need SharedArrayBuffer, which a page has only when cross-origin isolated (COOP + COEP).

import type { SpawnWorker, WorkerTransport } from './transport.js';

/** The slice of the DOM's Worker this transport uses (the project compiles without the DOM lib). */
interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

type WebWorkerConstructor = new (url: URL, options: { type: 'module'; name?: string }) => WebWorker;

/** Web Workers running the kernel worker, or undefined where the page cannot share memory with them. */
export function browserSpawner(): SpawnWorker | undefined {
  const g = globalThis as { Worker?: WebWorkerConstructor; crossOriginIsolated?: boolean };
  if (typeof g.Worker !== 'function' || g.crossOriginIsolated !== true) return undefined;
  const WorkerClass = g.Worker;
  const entry = new URL('./browser-kernel-worker-main.js', import.meta.url);
  let n = 0;
  return () => start(new WorkerClass(entry, { type: 'module', name: `edgeinfer-kernels-${++n}` }));
}

function start(worker: WebWorker): WorkerTransport {
  let exitHandler: ((reason: string) => void) | undefined;
  let terminated = false;
  // A browser reports no exit: an uncaught error (the script failed to load, or threw) stands for it.
  worker.addEventListener('error', (e) => {
    if (!terminated) exitHandler?.(`worker error: ${e.message ?? 'the worker script failed'}`);
  });
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (h) => worker.addEventListener('message', (e) => h(e.data)),
    onExit: (h) => (exitHandler = h),
    async terminate() {
      terminated = true;
      worker.terminate();
    },
  };
}
