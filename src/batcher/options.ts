// Dynamic batcher options with Triton's semantics (dynamic_batching in model_config.proto), checked once
// at construction so the scheduler never meets a bad value.

import { EdgeError } from '../errors.js';

export interface BatcherOptions {
  /** Most rows (sum of the requests' first dims) in one session run. Default 8. */
  maxBatchSize?: number;
  /**
   * How long the oldest queued request may wait for a fuller batch, in ms. Default 0: run the largest
   * batch already queued without waiting (Triton's max_queue_delay_microseconds = 0).
   */
  maxQueueDelayMs?: number;
  /** Batch sizes (rows) worth running at once without waiting for the delay; each ≤ maxBatchSize. */
  preferredBatchSizes?: number[];
  /** Number of priority levels; level 1 is served first (Triton's priority_levels). Default 1. */
  priorityLevels?: number;
  /** Level of a request that names none. Default: the lowest level (priorityLevels). */
  defaultPriority?: number;
  /** Most requests waiting in the queue; over it infer() rejects at once with OVERLOADED. 0 or absent: unbounded. */
  maxQueueSize?: number;
  /** Deadline of a request that names none, in ms after infer(); absent: no deadline. */
  defaultDeadlineMs?: number;
}

export interface ResolvedOptions {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** Ascending, without duplicates. */
  preferredBatchSizes: readonly number[];
  priorityLevels: number;
  defaultPriority: number;
  maxQueueSize: number;
  defaultDeadlineMs: number;
}

/** Per-request options of DynamicBatcher.infer(). */
export interface InferOptions {
  /** Relative deadline in ms: still queued when it passes, the request is answered with TIMEOUT and not run. */
  deadlineMs?: number;
  /** Priority level, 1 (served first) … priorityLevels. */
  priority?: number;
}

function invalid(field: string, rule: string, value: unknown): EdgeError {
  return new EdgeError('INPUT_INVALID', `DynamicBatcher: ${field} must be ${rule}, got ${String(value)}`, { input: field, expected: rule, actual: value });
}

function positiveInt(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalid(field, 'a positive integer', value);
  return value;
}

export function resolveOptions(options: BatcherOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw invalid('options', 'an object', options);
  const maxBatchSize = positiveInt('maxBatchSize', options.maxBatchSize, 8);
  const maxQueueDelayMs = options.maxQueueDelayMs ?? 0;
  if (typeof maxQueueDelayMs !== 'number' || !Number.isFinite(maxQueueDelayMs) || maxQueueDelayMs < 0) {
    throw invalid('maxQueueDelayMs', 'a finite number ≥ 0', maxQueueDelayMs);
  }
  const preferred = options.preferredBatchSizes ?? [];
  if (!Array.isArray(preferred)) throw invalid('preferredBatchSizes', 'an array of positive integers', preferred);
  for (const size of preferred) {
    positiveInt('preferredBatchSizes[]', size, 1);
    if (size > maxBatchSize) throw invalid('preferredBatchSizes[]', `≤ maxBatchSize (${maxBatchSize})`, size);
  }
  const priorityLevels = positiveInt('priorityLevels', options.priorityLevels, 1);
  const defaultPriority = positiveInt('defaultPriority', options.defaultPriority, priorityLevels);
  if (defaultPriority > priorityLevels) throw invalid('defaultPriority', `a level in 1..${priorityLevels}`, defaultPriority);
  // Triton's max_queue_size: 0 means unbounded.
  const maxQueueSize = options.maxQueueSize === 0 ? Infinity : positiveInt('maxQueueSize', options.maxQueueSize, Infinity);
  const defaultDeadlineMs = options.defaultDeadlineMs === undefined ? Infinity : checkDeadline('defaultDeadlineMs', options.defaultDeadlineMs);
  return {
    maxBatchSize,
    maxQueueDelayMs,
    preferredBatchSizes: [...new Set(preferred)].sort((a, b) => a - b),
    priorityLevels,
    defaultPriority,
    maxQueueSize,
    defaultDeadlineMs,
  };
}

export function checkDeadline(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0)) throw invalid(field, 'a number of ms > 0', value);
  return value;
}

/** The level and relative deadline of one request, falling back to the batcher's defaults. */
export function resolveInferOptions(options: InferOptions | undefined, resolved: ResolvedOptions): { priority: number; deadlineMs: number } {
  if (options === undefined) return { priority: resolved.defaultPriority, deadlineMs: resolved.defaultDeadlineMs };
  if (options === null || typeof options !== 'object') throw invalid('infer options', 'an object', options);
  const priority = options.priority ?? resolved.defaultPriority;
  if (!Number.isInteger(priority) || priority < 1 || priority > resolved.priorityLevels) {
    throw invalid('priority', `an integer level in 1..${resolved.priorityLevels} (1 is served first)`, priority);
  }
  const deadlineMs = options.deadlineMs === undefined ? resolved.defaultDeadlineMs : checkDeadline('deadlineMs', options.deadlineMs);
  return { priority, deadlineMs };
}
