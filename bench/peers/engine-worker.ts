// One engine in its own worker thread: loads models, and times runs in the worker itself so that
// messaging between coordinator and worker never lands inside a measured interval.

import { readdirSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { AdapterFactory, EngineAdapter, LoadedModel } from './adapters/adapter.js';
import type { EngineFamily } from './engines.js';
import { machineBusyMs } from './machine.js';
import type { Command, Envelope, Replies, ReplyEnvelope, Request, RunMode } from './protocol.js';

// Loaded lazily: an ort-web worker never loads the onnxruntime-node addon, and the reverse.
const ADAPTERS: Record<EngineFamily, AdapterFactory> = {
  edgeinfer: async (spec) => (await import('./adapters/edgeinfer.js')).edgeinferAdapter(spec),
  'ort-web': async (spec) => (await import('./adapters/ort-web.js')).ortWebAdapter(spec),
  'ort-node': async (spec) => (await import('./adapters/ort-node.js')).ortNodeAdapter(spec),
};

let adapter: EngineAdapter | undefined;
let model: LoadedModel | undefined;

function loaded(): LoadedModel {
  if (!model) throw new Error('no model loaded in this worker');
  return model;
}

/** OS threads of the whole process (Linux only). */
function osThreads(): number | undefined {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return undefined;
  }
}

async function timeRuns(m: LoadedModel, runs: number, mode: RunMode): Promise<Float64Array> {
  const samplesMs = new Float64Array(runs);
  const runSync = mode === 'sync' ? m.runSync : undefined;
  if (runSync) {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      runSync();
      samplesMs[i] = performance.now() - t0;
    }
  } else {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await m.run();
      samplesMs[i] = performance.now() - t0;
    }
  }
  return samplesMs;
}

type Handlers = { [C in Command]: (req: Extract<Request, { cmd: C }>) => Promise<Replies[C]> };

const handlers: Handlers = {
  async init({ spec }) {
    adapter = await ADAPTERS[spec.family](spec);
    return { version: adapter.version, hasSyncRun: adapter.hasSyncRun };
  },
  async load({ modelPath, feeds, overrides }) {
    if (!adapter) throw new Error('worker not initialised');
    if (model) await model.release();
    model = undefined;
    const before = osThreads();
    const t0 = performance.now();
    model = await adapter.load(modelPath, feeds, overrides);
    const loadMs = performance.now() - t0;
    const after = osThreads();
    return { loadMs, threadsStarted: before === undefined || after === undefined ? undefined : after - before };
  },
  async outputs() {
    return { outputs: await loaded().outputs() };
  },
  async warmup({ maxRuns, maxMs, mode }) {
    const m = loaded();
    const t0 = performance.now();
    let runs = 0;
    do {
      await timeRuns(m, 1, mode);
      runs++;
    } while (runs < maxRuns && performance.now() - t0 < maxMs);
    return { runs, meanMs: (performance.now() - t0) / runs };
  },
  async time({ runs, mode, rewarmRuns }) {
    const m = loaded();
    await timeRuns(m, rewarmRuns, mode);
    const busy0 = machineBusyMs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const samplesMs = await timeRuns(m, runs, mode);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const busy1 = machineBusyMs();
    const machine = busy0 === undefined || busy1 === undefined ? undefined : busy1 - busy0;
    return { samplesMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, machineBusyMs: machine };
  },
  async burst({ calls, mode, rewarmRuns }) {
    const m = loaded();
    await timeRuns(m, rewarmRuns, mode);
    const runSync = mode === 'sync' ? m.runSync : undefined;
    const t0 = performance.now();
    if (runSync) for (let i = 0; i < calls; i++) runSync();
    else for (let i = 0; i < calls; i++) await m.run();
    return { totalMs: performance.now() - t0 };
  },
  async release() {
    if (model) await model.release();
    model = undefined;
    return {};
  },
};

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs as a worker thread (see engine-host.ts)');
port.on('message', async ({ id, req }: Envelope) => {
  let reply: ReplyEnvelope;
  try {
    const handler = handlers[req.cmd] as (r: Request) => Promise<unknown>;
    reply = { id, ok: true, result: await handler(req) };
  } catch (err) {
    const e = err as { message?: string; code?: string };
    reply = { id, ok: false, error: { message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined } };
  }
  port.postMessage(reply);
});
