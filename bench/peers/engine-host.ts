// Coordinator side of an engine worker: typed request/reply calls over postMessage.

import { Worker } from 'node:worker_threads';
import type { EngineSpec } from './engines.js';
import type { Command, Replies, ReplyEnvelope, Request } from './protocol.js';

/** An error raised inside an engine (load, run), carrying the engine's own message and code. */
export class EngineFailure extends Error {
  constructor(
    readonly engine: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'EngineFailure';
  }
}

export class EngineHost {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private dead: Error | undefined;

  private constructor(readonly spec: EngineSpec) {
    const entry = new URL(`./engine-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
    this.worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry } });
    this.worker.on('message', (m: ReplyEnvelope) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new EngineFailure(spec.id, m.error.message, m.error.code));
    });
    const fail = (err: Error) => {
      this.dead = new EngineFailure(spec.id, `worker stopped: ${err.message}`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  /** Starts the worker and initialises its engine; returns the engine's version. */
  static async start(spec: EngineSpec): Promise<{ host: EngineHost; info: Replies['init'] }> {
    const host = new EngineHost(spec);
    try {
      return { host, info: await host.call({ cmd: 'init', spec }) };
    } catch (err) {
      await host.close();
      throw err;
    }
  }

  call<C extends Command>(req: Extract<Request, { cmd: C }>): Promise<Replies[C]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Replies[C]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
