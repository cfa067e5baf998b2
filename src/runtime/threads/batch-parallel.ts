// Data parallelism along the batch: a run of batch N ≥ 2 is cut into up to T contiguous slices of
// dim 0; T − 1 workers run theirs while this thread runs the first; outputs are concatenated.

import { debugLog } from '../../env.js';
import { EdgeError } from '../../errors.js';
import { writeOnnx } from '../../formats/onnx/writer.js';
import type { Model } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { DTYPES } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ThreadPool } from './pool.js';
import { align8 } from './protocol.js';
import type { PackedTensor } from './region.js';
import { batchSymbol, concatRows, sliceRows, sliceSizes, type ShapeInfo } from './split.js';
import type { SpawnWorker } from './transport.js';

/** What the coordinator needs of a session (an interface, so this folder does not import session.ts). */
export interface SplittableSession {
  model: Model;
  backend: 'wasm' | 'ref';
  inputNames: readonly string[];
  inputMetadata: readonly (ShapeInfo & { type: DataType })[];
  outputMetadata: readonly (ShapeInfo & { type: DataType })[];
  /** Work of one sample, to leave runs too small to pay for a thread handoff on one thread. */
  macsPerSample?: number;
}

/** Below this many multiply-accumulates a run stays on one thread: the handoff (~10 µs) would cost more than it saves. */
const MIN_SPLIT_MACS = 2_000_000;

/** Runs feeds (already validated) on this thread's executor. */
export type LocalRun = (feeds: Record<string, Tensor>, fetches: readonly string[]) => Record<string, Tensor>;

export interface ThreadOptions {
  /** How to start a worker (default: Node's worker_threads). */
  spawn?: SpawnWorker;
  startTimeoutMs?: number;
  /** Bound on the wait for the workers once this thread's slice is done, from its duration (ms → ms). */
  waitBoundMs?: (localSliceMs: number) => number;
}

// A worker's slice is as large as ours, so it should finish about when ours does; the bound only has to
// catch a worker that will never answer, generously on a loaded machine.
const defaultWaitBound = (localMs: number) => 30_000 + 50 * localMs;

export class BatchParallel {
  private readonly dtypes = new Map<string, DataType>();
  /** Output bytes per batch row (largest seen), to size a worker's output region before its run. */
  private readonly rowBytes = new Map<string, number>();
  private readonly rank = new Map<string, number>();
  private warned = false;

  private constructor(
    private readonly session: SplittableSession,
    private readonly pool: ThreadPool,
    private readonly runLocal: LocalRun,
    private readonly waitBound: (localMs: number) => number,
  ) {
    for (const o of session.outputMetadata) {
      this.dtypes.set(o.name, o.type);
      this.rank.set(o.name, o.shape.length);
      const rest = o.shape.slice(1);
      if (rest.every((d) => typeof d === 'number')) this.rowBytes.set(o.name, (rest as number[]).reduce((a, b) => a * b, 1) * DTYPES[o.type].bytes);
    }
  }

  /**
   * Starts threads − 1 workers when the model can be cut along a shared symbolic dim 0; otherwise (or
   * when workers cannot start) returns undefined and the session stays single-threaded.
   */
  static async start(session: SplittableSession, threads: number, runLocal: LocalRun, o: ThreadOptions = {}): Promise<BatchParallel | undefined> {
    if (threads <= 1) return undefined;
    if (!batchSymbol(session.inputMetadata, session.outputMetadata)) {
      debug(`intraOpNumThreads=${threads} unused: the inputs and outputs do not share a symbolic dim 0 to cut runs along`);
      return undefined;
    }
    const spawn = o.spawn ?? (await defaultSpawn());
    if (!spawn) {
      debug(`intraOpNumThreads=${threads} unused: no worker transport on this platform`);
      return undefined;
    }
    let parallel: BatchParallel | undefined;
    try {
      const pool = await ThreadPool.start(writeOnnx(session.model), {
        backend: session.backend,
        workers: threads - 1,
        spawn,
        startTimeoutMs: o.startTimeoutMs ?? 120_000,
        onStop: (reason) => parallel?.warnOnce(reason),
      });
      parallel = new BatchParallel(session, pool, runLocal, o.waitBoundMs ?? defaultWaitBound);
    } catch (err) {
      debug(`intraOpNumThreads=${threads} unused: workers did not start (${(err as Error).message}); running single-threaded`);
      return undefined;
    }
    return parallel;
  }

  /** Threads a run can use now: this one plus live workers. */
  get threads(): number {
    return 1 + this.pool.size;
  }

  /** Whether this run is cut: batch ≥ 2 and workers alive (cheap: batch-1 runs never touch the pool). */
  accepts(feeds: Record<string, Tensor>): boolean {
    const n = feeds[this.session.inputNames[0]!]!.dims[0]!;
    // Models without counted MACs (data movement only, or shapes unknown) are split whenever batch >= 2.
    const macs = this.session.macsPerSample || Infinity;
    return this.pool.size > 0 && n >= 2 && n * macs >= MIN_SPLIT_MACS;
  }

  run(feeds: Record<string, Tensor>, fetches: readonly string[]): Record<string, Tensor> {
    const names = this.session.inputNames;
    const n = feeds[names[0]!]!.dims[0]!;
    const rows = sliceSizes(n, Math.min(n, this.threads));
    const starts = rows.map((_, k) => rows.slice(0, k).reduce((a, b) => a + b, 0));
    const slice = (k: number) => Object.fromEntries(names.map((name) => [name, sliceRows(feeds[name]!, starts[k]!, rows[k]!)]));
    const fetchList = fetches.slice();
    const dtypes = fetchList.map((f) => this.dtypes.get(f)!);
    // Workers first, so they compute while this thread runs slice 0.
    for (let k = 1; k < rows.length; k++) {
      const s = slice(k);
      this.pool.dispatch(k - 1, names.map((name) => s[name]!), fetchList, this.outputBytes(fetchList, rows[k]!));
    }
    const parts: PackedTensor[][] = [];
    let error: unknown;
    const t0 = performance.now();
    try {
      const local = this.runLocal(slice(0), fetchList);
      parts.push(fetchList.map((f) => local[f]!));
    } catch (err) {
      error = err;
    }
    const deadline = performance.now() + this.waitBound(performance.now() - t0);
    for (let k = 1; k < rows.length; k++) {
      try {
        let outputs = this.pool.collect(k - 1, dtypes, deadline);
        if (!outputs) {
          // The worker died: this slice runs here; later runs stay single-threaded.
          const local = this.runLocal(slice(k), fetchList);
          outputs = fetchList.map((f) => local[f]!);
        }
        parts.push(outputs);
      } catch (err) {
        // A timeout stopped the pool: nothing left to wait for. Otherwise every worker is waited for
        // before throwing, so none is still writing a slice of this call into its region.
        if (err instanceof EdgeError && err.code === 'TIMEOUT') throw error ?? err;
        error ??= err;
      }
    }
    if (error !== undefined) throw error;
    const result: Record<string, Tensor> = {};
    fetchList.forEach((f, j) => {
      result[f] = concatRows(f, dtypes[j]!, parts.map((p) => p[j]!), rows);
      this.rowBytes.set(f, Math.max(this.rowBytes.get(f) ?? 0, result[f]!.data.byteLength / n));
    });
    return result;
  }

  async release(): Promise<void> {
    await this.pool.release();
  }

  /** Estimated output region for a slice of `rows` rows (a worker asks for more when short). */
  private outputBytes(fetches: readonly string[], rows: number): number {
    let bytes = 0;
    for (const f of fetches) bytes += 8 * (2 + (this.rank.get(f) ?? 8)) + align8((this.rowBytes.get(f) ?? 0) * rows) + 8;
    return bytes;
  }

  private warnOnce(reason: string): void {
    if (this.warned) return;
    this.warned = true;
    debug(`intra-op threads stopped (${reason}); running single-threaded from now on`);
  }
}

/** Node's worker_threads transport, loaded only on Node so that browser bundles never see it. */
async function defaultSpawn(): Promise<SpawnWorker | undefined> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  return isNode ? (await import('./node-transport.js')).spawnNodeWorker : undefined;
}

function debug(message: string): void {
  debugLog(1, message);
}
