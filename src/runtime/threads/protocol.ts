// What the main thread and an intra-op worker exchange: messages (main → worker, and the worker's
// start-up reply) and the layout of the shared control block the worker answers runs through.

import { EdgeError, type EdgeErrorCode } from '../../errors.js';

/** Starts a worker: the model (already optimized) and the control block it reports through. */
export interface InitMessage {
  kind: 'init';
  /** ONNX bytes in a SharedArrayBuffer, so every worker reads the same copy. */
  model: SharedArrayBuffer;
  modelBytes: number;
  backend: 'wasm' | 'ref';
  control: SharedArrayBuffer;
}

/** One slice to run: its inputs are packed in the input region (region.ts); a region is posted only when replaced. */
export interface RunMessage {
  kind: 'run';
  input?: SharedArrayBuffer;
  output?: SharedArrayBuffer;
  fetches: string[];
}

/** After NEED_SPACE: write the outputs of the last run again, into this larger region. */
export interface ResendMessage {
  kind: 'resend';
  output: SharedArrayBuffer;
}

export type ToWorker = InitMessage | RunMessage | ResendMessage;

export type FromWorker = { kind: 'ready' } | { kind: 'failed'; error: SerializedError };

/** States of the control word (Int32 slot 0). The main thread sets BUSY; the worker sets the rest. */
export const STATUS = { IDLE: 0, BUSY: 1, DONE: 2, FAILED: 3, NEED_SPACE: 4, DEAD: 5 } as const;

// Control block: Int32 slot 0 = status, slot 1 = error text bytes; Float64 slot 1 (byte 8) = bytes the
// output region needs; error text (UTF-8 JSON) from byte 64.
export const CONTROL = { status: 0, errorBytes: 1, neededF64: 1, errorOffset: 64, bytes: 64 + 16 * 1024 } as const;

/** An error as it crosses threads: EdgeError's code and context survive, the stack does not. */
export interface SerializedError {
  code: EdgeErrorCode;
  message: string;
  op?: string;
  node?: string;
  input?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof EdgeError) return { code: err.code, message: err.message, op: err.op, node: err.node, input: err.input };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export function deserializeError(e: SerializedError, where: string): EdgeError {
  return new EdgeError(e.code, e.message, { op: e.op, node: e.node, input: e.input, details: { thread: where } });
}

/** Rounds up to 8 bytes: every tensor in a region starts 8-aligned (BigInt64Array views need it). */
export const align8 = (n: number): number => Math.ceil(n / 8) * 8;
