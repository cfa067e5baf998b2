// DynamicBatcher: queues requests for one session and runs them in batches with Triton's dynamic-batcher
// semantics (max batch size, max queue delay, preferred sizes, priority levels, bounded queue, deadlines).

import { EdgeError, type EdgeErrorCode } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchLayout, inspectRequest, type BatchLayout, type BatchValueMetadata } from './batch-layout.js';
import { decideBatch } from './batch-policy.js';
import { BatcherStatsRecorder, type BatcherStats } from './batcher-stats.js';
import { resolveInferOptions, resolveOptions, type BatcherOptions, type InferOptions, type ResolvedOptions } from './options.js';
import { packFeeds, unpackOutputs } from './packing.js';
import type { PendingRequest } from './pending-request.js';
import { RequestQueue } from './request-queue.js';

/** What the batcher needs of a session; InferenceSession fits, and tests can pass their own. */
export interface BatchSession {
  readonly inputMetadata: readonly BatchValueMetadata[];
  readonly outputMetadata: readonly BatchValueMetadata[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}

export interface CloseOptions {
  /** true (default): run everything still queued, then resolve. false: reject the queued requests with OVERLOADED. */
  drain?: boolean;
}

// setTimeout fires at once for delays above 2^31-1 ms; deadlines that far away are checked when batches form.
const MAX_TIMER_MS = 2 ** 31 - 1;
// Weight of the newest batch in the expected run time (used to run a request before its deadline passes).
const RUN_MS_SMOOTHING = 0.2;

export class DynamicBatcher {
  readonly options: ResolvedOptions;
  /** The batch dim, or why requests are run one at a time. */
  readonly layout: BatchLayout;
  private readonly session: BatchSession;
  private readonly inputNames: readonly string[];
  private readonly queue: RequestQueue;
  private readonly recorder = new BatcherStatsRecorder();
  private nextId = 1;
  private running = false;
  private inFlight = 0;
  private tickScheduled = false;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private expectedRunMs = 0;
  private closing: { drain: boolean; done: Promise<void>; resolve: () => void } | undefined;

  constructor(session: BatchSession, options: BatcherOptions = {}) {
    if (!session || typeof session.run !== 'function' || !Array.isArray(session.inputMetadata) || !Array.isArray(session.outputMetadata)) {
      throw new EdgeError('INPUT_INVALID', 'DynamicBatcher: needs a session with run(), inputMetadata and outputMetadata (an InferenceSession)');
    }
    this.session = session;
    this.options = resolveOptions(options);
    this.layout = batchLayout(session.inputMetadata, session.outputMetadata);
    this.inputNames = session.inputMetadata.map((m) => m.name);
    this.queue = new RequestQueue(this.options.priorityLevels);
  }

  /** True when requests are packed along the batch dim; false when each request runs alone. */
  get packsRequests(): boolean {
    return this.layout.batchSymbol !== undefined;
  }

  get stats(): BatcherStats {
    return this.recorder.snapshot(this.queue.size, this.inFlight);
  }

  /**
   * Queues one request and answers with its own outputs (its rows of the batch it ran in). Rejects with
   * INPUT_INVALID (bad feeds or options), OVERLOADED (queue full, or the batcher is closed), TIMEOUT
   * (deadline passed while queued; not run) or the session's error (the whole batch failed).
   */
  infer(feeds: Record<string, Tensor>, options?: InferOptions): Promise<Record<string, Tensor>> {
    this.recorder.received++;
    if (this.closing) return this.refuse('closed', 'OVERLOADED', 'DynamicBatcher: infer() after close(); the request was not queued');
    let priority: number;
    let deadlineMs: number;
    let rows: number;
    let key: string;
    try {
      ({ priority, deadlineMs } = resolveInferOptions(options, this.options));
      ({ rows, key } = inspectRequest(this.layout, feeds, this.options.maxBatchSize));
    } catch (err) {
      this.recorder.count('invalid');
      return Promise.reject(err);
    }
    if (this.queue.size >= this.options.maxQueueSize) {
      return this.refuse('overloaded', 'OVERLOADED', `DynamicBatcher: the queue is full (${this.queue.size} requests waiting, maxQueueSize ${this.options.maxQueueSize})`);
    }
    return new Promise((resolve, reject) => {
      const enqueuedMs = performance.now();
      const request: PendingRequest = {
        id: this.nextId++,
        feeds,
        rows,
        key,
        priority,
        enqueuedMs,
        deadlineAtMs: enqueuedMs + deadlineMs,
        state: 'queued',
        timer: undefined,
        resolve,
        reject,
      };
      if (deadlineMs <= MAX_TIMER_MS) request.timer = setTimeout(() => this.expire(request), deadlineMs);
      this.queue.push(request);
      this.kick();
    });
  }

  /**
   * Stops taking requests (later infer() calls reject with OVERLOADED) and resolves once every request
   * has its answer: by default the queue is drained (run without waiting for the delay; deadlines still
   * apply); with { drain: false } queued requests are rejected with OVERLOADED. The batch running now
   * always finishes.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.closing) return this.closing.done;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.closing = { drain: options.drain ?? true, done, resolve };
    if (!this.closing.drain) {
      for (const r of [...this.queue.inServiceOrder()]) {
        this.settleQueued(r, 'closed', new EdgeError('OVERLOADED', `DynamicBatcher: closed before request ${r.id} ran`));
      }
    }
    this.kick();
    return done;
  }

  private refuse(outcome: 'closed' | 'overloaded', code: EdgeErrorCode, message: string): Promise<never> {
    this.recorder.count(outcome);
    return Promise.reject(new EdgeError(code, message));
  }

  private expire(request: PendingRequest): void {
    request.timer = undefined;
    if (request.state !== 'queued') return;
    this.timeOut(request, performance.now());
    this.kick();
  }

  private timeOut(request: PendingRequest, nowMs: number): void {
    const waitedMs = nowMs - request.enqueuedMs;
    const deadlineMs = request.deadlineAtMs - request.enqueuedMs;
    const message = `DynamicBatcher: request ${request.id} waited ${waitedMs.toFixed(1)} ms in the queue, past its deadline of ${deadlineMs} ms; it was not run`;
    this.settleQueued(request, 'timedOut', new EdgeError('TIMEOUT', message, { expected: deadlineMs, actual: waitedMs }));
  }

  private settleQueued(request: PendingRequest, outcome: 'timedOut' | 'closed', err: EdgeError): void {
    this.queue.take(request, 'settled');
    if (request.timer) clearTimeout(request.timer);
    request.timer = undefined;
    this.recorder.count(outcome);
    request.reject(err);
  }

  /** Schedules one look at the queue; setImmediate lets every infer() of the current tick join first. */
  private kick(): void {
    if (this.running || this.tickScheduled) return;
    this.tickScheduled = true;
    setImmediate(() => {
      this.tickScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.running) return;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const nowMs = performance.now();
    const { batch, blocked } = this.collect(nowMs);
    if (batch.length === 0) {
      if (this.closing && this.queue.size === 0) this.closing.resolve();
      return;
    }
    const decision = decideBatch({
      candidates: batch,
      flush: blocked || this.closing !== undefined,
      maxBatchSize: this.options.maxBatchSize,
      maxQueueDelayMs: this.options.maxQueueDelayMs,
      preferredBatchSizes: this.options.preferredBatchSizes,
      nowMs,
      expectedRunMs: this.expectedRunMs,
    });
    if ('run' in decision) {
      void this.execute(batch.slice(0, decision.run), nowMs);
    } else if (decision.waitUntilMs !== Infinity) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        this.kick();
      }, Math.ceil(decision.waitUntilMs - nowMs));
    }
  }

  /**
   * The requests the next batch may take: the first in service order, then every later request with
   * the same key while the rows fit. `blocked` says the batch cannot grow by waiting.
   */
  private collect(nowMs: number): { batch: PendingRequest[]; blocked: boolean } {
    const batch: PendingRequest[] = [];
    let rows = 0;
    for (const r of this.queue.inServiceOrder()) {
      // Timers lag while a batch blocks the event loop; a request past its deadline must not run.
      if (r.deadlineAtMs <= nowMs) {
        this.timeOut(r, nowMs);
        continue;
      }
      if (!this.packsRequests) return { batch: [r], blocked: true };
      if (batch.length > 0 && r.key !== batch[0]!.key) continue;
      if (rows + r.rows > this.options.maxBatchSize) return { batch, blocked: true };
      batch.push(r);
      rows += r.rows;
      if (rows === this.options.maxBatchSize) break;
    }
    return { batch, blocked: false };
  }

  private async execute(batch: PendingRequest[], startMs: number): Promise<void> {
    this.running = true;
    this.inFlight = batch.length;
    const rows = batch.map((r) => r.rows);
    const totalRows = rows.reduce((a, b) => a + b, 0);
    for (const r of batch) {
      this.queue.take(r, 'running');
      if (r.timer) clearTimeout(r.timer);
      r.timer = undefined;
    }
    this.recorder.batchStarted(totalRows, batch.map((r) => startMs - r.enqueuedMs));
    let answers: Record<string, Tensor>[] | undefined;
    let failure: EdgeError | undefined;
    try {
      const feeds = this.packsRequests ? packFeeds(this.inputNames, batch.map((r) => r.feeds)) : batch[0]!.feeds;
      const t0 = performance.now();
      const outputs = await this.session.run(feeds);
      const runMs = performance.now() - t0;
      this.recorder.batchRan(runMs);
      this.expectedRunMs = this.expectedRunMs === 0 ? runMs : this.expectedRunMs + RUN_MS_SMOOTHING * (runMs - this.expectedRunMs);
      answers = this.packsRequests ? unpackOutputs(outputs, rows) : [outputs];
    } catch (err) {
      failure = batchError(err, batch.length, totalRows);
    }
    this.running = false;
    this.inFlight = 0;
    batch.forEach((r, i) => {
      r.state = 'settled';
      if (answers) {
        this.recorder.count('succeeded');
        r.resolve(answers[i]!);
      } else {
        this.recorder.count('failed');
        r.reject(failure!);
      }
    });
    this.kick();
  }
}

/** The error every request of a failed batch receives: the session's code, with the batch named. */
function batchError(err: unknown, requests: number, rows: number): EdgeError {
  const inner = err instanceof EdgeError ? err : undefined;
  const reason = err instanceof Error ? err.message : String(err);
  return new EdgeError(inner?.code ?? 'INTERNAL', `DynamicBatcher: the batch of ${requests} request(s), ${rows} row(s), failed: ${reason}`, {
    cause: err,
    op: inner?.op,
    node: inner?.node,
    input: inner?.input,
    expected: inner?.expected,
    actual: inner?.actual,
  });
}
