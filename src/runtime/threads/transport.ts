// The one seam between the kernel pool and a threading API: Node's worker_threads (node-transport.ts) and
// browsers' module Web Workers (browser-transport.ts), with the same messages and shared memory.

/** One side of a message channel (the worker's view of its parent, or the parent's view of a worker). */
export interface Endpoint {
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** The main thread's handle on one worker. */
export interface WorkerTransport extends Endpoint {
  /** Called once when the worker stops for any reason other than terminate(). */
  onExit(handler: (reason: string) => void): void;
  terminate(): Promise<void>;
}

/** Starts one worker running a pool's worker entry (kernel-worker.ts behind a platform entry file). */
export type SpawnWorker = () => WorkerTransport;
