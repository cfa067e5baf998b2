// The one error class of edgeinfer: a stable code for programs, a message that names the place for people.

export type EdgeErrorCode =
  | 'MODEL_INVALID'
  | 'MODEL_NOT_FOUND'
  | 'OP_UNSUPPORTED'
  | 'DTYPE_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'INPUT_INVALID'
  | 'QPARAMS_INVALID'
  | 'LIMIT_EXCEEDED'
  | 'OVERLOADED'
  | 'TIMEOUT'
  | 'INTERNAL';

export interface EdgeErrorContext {
  op?: string;
  node?: string;
  input?: string;
  expected?: unknown;
  actual?: unknown;
  cause?: unknown;
  /** Extra machine-readable details, e.g. the list of unsupported ops. */
  details?: unknown;
}

export class EdgeError extends Error {
  readonly code: EdgeErrorCode;
  readonly op?: string;
  readonly node?: string;
  readonly input?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly details?: unknown;

  constructor(code: EdgeErrorCode, message: string, context: EdgeErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'EdgeError';
    this.code = code;
    this.op = context.op;
    this.node = context.node;
    this.input = context.input;
    this.expected = context.expected;
    this.actual = context.actual;
    this.details = context.details;
  }
}

/** Wraps anything thrown into an EdgeError, keeping EdgeErrors as they are. */
export function asEdgeError(err: unknown, code: EdgeErrorCode, prefix: string): EdgeError {
  if (err instanceof EdgeError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new EdgeError(code, `${prefix}: ${reason}`, { cause: err });
}
