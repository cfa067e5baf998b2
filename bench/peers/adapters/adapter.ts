// The contract each measured engine implements inside its worker: load a model, run it, show outputs.

import type { EngineSpec } from '../engines.js';
import type { FeedData } from '../protocol.js';

export interface LoadedModel {
  /** Present when the engine has a synchronous run (edgeinfer); timing loops then skip the promise. */
  runSync?(): void;
  run(): Promise<void>;
  /** Outputs of one run as float32, to check that every engine computes the same thing. */
  outputs(): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

export interface EngineAdapter {
  version: string;
  hasSyncRun: boolean;
  /** overrides binds symbolic dims (e.g. { batch: 32 }) so every engine sees static shapes. */
  load(modelPath: string, feeds: FeedData[], overrides: Record<string, number>): Promise<LoadedModel>;
}

export type AdapterFactory = (spec: EngineSpec) => Promise<EngineAdapter>;

/** Any numeric typed array as float32 (int64 outputs included). */
export function asFloat32(data: unknown): Float32Array {
  if (data instanceof Float32Array) return Float32Array.from(data);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, (v) => Number(v));
  if (ArrayBuffer.isView(data)) return Float32Array.from(data as unknown as ArrayLike<number>);
  return new Float32Array(0);
}
