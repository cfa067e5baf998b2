// Cold start in phases — read (file bytes), parse (readOnnx), optimize (graph passes), plan (session
// creation + first static plan), first inference — each timed with performance.now().

import { referenceOps } from '../kernels/ref/index.js';
import { optimizeModel } from '../passes/index.js';
import { parseModelFile, readModelBytes } from '../runtime/load-file.js';
import { InferenceSession } from '../runtime/session.js';
import type { BenchResult } from './types.js';
import { FeedCache, inputDims } from './scenarios/feeds.js';

export interface ColdStartOptions {
  backend?: 'wasm' | 'ref';
  /** Rows of the first inference (and of the plan built). */
  batch?: number;
  /** Seed of the random inputs. */
  seed?: number;
  /** intraOpNumThreads of the session (runs of batch ≥ 2 cut along the batch). */
  threads?: number;
}

export interface ColdStart {
  session: InferenceSession;
  feeds: FeedCache;
  coldStartMs: BenchResult['coldStartMs'];
  modelBytes: number;
}

export async function measureColdStart(path: string, options: ColdStartOptions = {}): Promise<ColdStart> {
  const batch = options.batch ?? 1;
  const t0 = performance.now();
  const bytes = await readModelBytes(path);
  const t1 = performance.now();
  const parsed = await parseModelFile(path, bytes);
  const t2 = performance.now();
  const optimized = optimizeModel(parsed, referenceOps);
  const t3 = performance.now();
  // The passes already ran: the session must not run them again. The first session in a process
  // also instantiates the WebAssembly module (once), which belongs to a real cold start.
  const session = await InferenceSession.create(optimized, {
    backend: options.backend ?? 'wasm',
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: options.threads,
  });
  session.planStats(inputDims(session, batch));
  const t4 = performance.now();
  const feeds = new FeedCache(session, options.seed ?? 0);
  const first = feeds.feeds(batch); // random inputs are the benchmark's, not the model's: untimed
  const t5 = performance.now();
  session.runSync(first);
  const t6 = performance.now();
  const coldStartMs = { read: t1 - t0, parse: t2 - t1, optimize: t3 - t2, plan: t4 - t3, firstInference: t6 - t5, total: 0 };
  coldStartMs.total = coldStartMs.read + coldStartMs.parse + coldStartMs.optimize + coldStartMs.plan + coldStartMs.firstInference;
  return { session, feeds, coldStartMs, modelBytes: bytes.byteLength };
}
