// One request as the batcher holds it between infer() and its answer: feeds, rows, timing and the promise's
// settle functions. A request settles exactly once; `state` guards that.

import type { EdgeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export type RequestState = 'queued' | 'running' | 'settled';

export interface PendingRequest {
  readonly id: number;
  readonly feeds: Record<string, Tensor>;
  /** Rows this request adds to a batch (its first dim; 1 when the batcher does not pack). */
  readonly rows: number;
  /** Requests pack together only when their keys are equal (dtypes and every dim but the first). */
  readonly key: string;
  /** 1 is served first. */
  readonly priority: number;
  readonly enqueuedMs: number;
  /** Absolute time (same clock as enqueuedMs) after which the request is answered with TIMEOUT; Infinity: none. */
  readonly deadlineAtMs: number;
  state: RequestState;
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly resolve: (outputs: Record<string, Tensor>) => void;
  readonly reject: (err: EdgeError) => void;
}
