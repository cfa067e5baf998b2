// Messages between the benchmark coordinator and an engine worker (one worker thread per engine).

import type { DataType, TypedArray } from '../../src/tensor/dtype.js';
import type { EngineSpec } from './engines.js';

/** One model input, with data: identical bytes go to every engine. */
export interface FeedData {
  name: string;
  dtype: DataType;
  dims: number[];
  data: TypedArray;
}

/** 'sync' uses the engine's synchronous run when it has one (edgeinfer runSync), else awaits run(). */
export type RunMode = 'sync' | 'async';

export type Request =
  | { cmd: 'init'; spec: EngineSpec }
  | { cmd: 'load'; modelPath: string; feeds: FeedData[]; overrides: Record<string, number> }
  | { cmd: 'outputs' }
  | { cmd: 'warmup'; maxRuns: number; maxMs: number; mode: RunMode }
  | { cmd: 'time'; runs: number; mode: RunMode; rewarmRuns: number }
  | { cmd: 'burst'; calls: number; mode: RunMode; rewarmRuns: number }
  | { cmd: 'release' };

export type Command = Request['cmd'];

export interface Replies {
  init: { version: string; hasSyncRun: boolean };
  /** threadsStarted: OS threads the process gained while loading (Linux /proc), shows real pthreads. */
  load: { loadMs: number; threadsStarted?: number };
  outputs: { outputs: Record<string, Float32Array> };
  warmup: { runs: number; meanMs: number };
  /** Wall time of each run, in milliseconds (after rewarmRuns untimed runs), and process CPU time
   *  over the timed runs: CPU ÷ wall shows how many threads the engine really kept busy. The whole
   *  machine's CPU time over the same interval, minus ours, is what other jobs took meanwhile. */
  time: { samplesMs: Float64Array; wallMs: number; cpuMs: number; machineBusyMs?: number };
  /** Wall time of `calls` back-to-back runs with no timer between them (per-call overhead). */
  burst: { totalMs: number };
  release: Record<string, never>;
}

export type Envelope = { id: number; req: Request };
export type ReplyEnvelope = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; code?: string } };
