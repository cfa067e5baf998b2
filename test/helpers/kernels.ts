// Shared helpers for the reference-kernel unit tests: typed attributes, nodes, kernel/infer contexts,
// running an op from an op table, and EdgeError assertions.

import { expect } from 'vitest';
import { EdgeError } from '../../src/errors.js';
import type { Attribute, Dim, Node, ValueType } from '../../src/ir/graph.js';
import type { InferContext, KernelContext, OpTable } from '../../src/kernels/op-def.js';
import { referenceOps } from '../../src/kernels/ref/index.js';
import type { DataType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
export { int, ints, node } from './build.js';

export type Attrs = Record<string, Attribute>;

export const float = (value: number): Attribute => ({ type: 'float', value });
export const floats = (value: number[]): Attribute => ({ type: 'floats', value });
export const str = (value: string): Attribute => ({ type: 'string', value });
export const tensorAttr = (value: Tensor): Attribute => ({ type: 'tensor', value });

/** A plain attribute value, turned into an Attribute by toAttrs; Attributes pass through. */
export type AttrValue = Attribute | number | number[] | string | string[];

/**
 * Typed attributes from plain values: strings become string, string arrays strings. Without floatKey a number is
 * int when it is an integer and float otherwise, and a number array is ints; with floatKey, numbers and number
 * arrays under a key it accepts are float / floats and all others int / ints.
 */
export function toAttrs(values: Record<string, AttrValue>, floatKey?: (key: string) => boolean): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string') out[k] = { type: 'string', value: v };
    else if (typeof v === 'number') out[k] = { type: (floatKey ? floatKey(k) : !Number.isInteger(v)) ? 'float' : 'int', value: v };
    else if (Array.isArray(v)) {
      if (typeof v[0] === 'string') out[k] = { type: 'strings', value: v as string[] };
      else out[k] = { type: floatKey?.(k) ? 'floats' : 'ints', value: v as number[] };
    } else out[k] = v;
  }
  return out;
}

/** `n` names `${prefix}0`, `${prefix}1`, ... */
export const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

export const kernelCtx = (n: Node, opset = 13): KernelContext => ({ node: n, opset });

/** An InferContext; `constants[i]` is input i's value when known at load time. */
export const inferCtx = (n: Node, opset = 13, constants: (Tensor | undefined)[] = []): InferContext => ({
  node: n,
  opset,
  constant: (i) => constants[i],
});

/** Runs n's op from `table` (the reference op table by default) on inputs. */
export function runNode(n: Node, inputs: (Tensor | undefined)[], opset = 13, table: OpTable = referenceOps): Tensor[] {
  return table[n.op]!.run(kernelCtx(n, opset), inputs);
}

/** Infers n's output types with `table`'s op (the reference op table by default). */
export function inferNode(
  n: Node,
  inputs: (ValueType | undefined)[],
  opset = 13,
  constants: (Tensor | undefined)[] = [],
  table: OpTable = referenceOps,
): ValueType[] {
  return table[n.op]!.infer(inferCtx(n, opset, constants), inputs);
}

export const vt = (dtype: DataType, shape?: Dim[]): ValueType => ({ dtype, shape });
export const i64 = (values: number[], dims?: number[]): Tensor => new Tensor('int64', values.map((v) => BigInt(v)), dims ?? [values.length]);

/** Expects fn to throw an EdgeError with the given code (and message part, when given). */
export function expectEdgeError(fn: () => unknown, code: string, message?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EdgeError);
    expect((e as EdgeError).code).toBe(code);
    if (message) expect((e as EdgeError).message).toContain(message);
    return;
  }
  throw new Error(`expected an EdgeError ${code}`);
}

/** Element-wise toBeCloseTo with `digits` decimal digits. */
export function expectCloseDigits(actual: number[], expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
}
