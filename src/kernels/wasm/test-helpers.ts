// Shared by the WebAssembly kernel tests: the builds to run, seeded data, copying to and from wasm memory,
// the reference kernels as a function call, and a tolerance check that names the case on failure.

import type { Attribute, Node } from '../../ir/graph.js';
import { seededRandom } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { referenceOps } from '../ref/index.js';
import { ACT, type Activation } from './codes.js';
import { wasmVariantSupported, type WasmKernels, type WasmVariant } from './module.js';

/** Every build this engine runs (relaxed SIMD only where the engine validates it). */
export const TEST_VARIANTS: WasmVariant[] = (['wasmsimd', 'scalar', 'wasmrelaxedsimd'] as const).filter(wasmVariantSupported);

export const RTOL = 1e-4;
export const ATOL = 1e-5;

/** n floats uniform in [-1, 1) from `seed`. */
export function randomFloats(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rand() * 2 - 1;
  return out;
}

/** A random integer in [lo, hi] from `rand`. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Copies `data` into fresh wasm memory and returns its offset. */
export function upload(k: WasmKernels, data: Float32Array): number {
  const p = k.alloc(data.length * 4);
  k.f32(p, data.length).set(data);
  return p;
}

/** A copy of n floats at offset p. */
export function download(k: WasmKernels, p: number, n: number): Float32Array {
  return k.f32(p, n).slice();
}

/**
 * Throws, naming the case and the first bad element with its neighbours, unless
 * |actual - expected| <= ATOL + RTOL * scale everywhere (NaN only matches NaN). scale is |expected|, or
 * magnitude[i] when given: for a long dot product, the sum of |terms| (float32 rounding grows with it, so a
 * result that cancels to near 0 is only as exact as its terms are large).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, magnitude?: ArrayLike<number>): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const scale = magnitude ? Math.max(magnitude[i]!, Math.abs(e)) : Math.abs(e);
    const ok = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= ATOL + RTOL * scale;
    if (!ok) {
      const from = Math.max(0, i - 2);
      const near = (arr: ArrayLike<number>) => Array.from({ length: Math.min(5, expected.length - from) }, (_, j) => arr[from + j]!.toPrecision(7)).join(', ');
      throw new Error(`${what}: element ${i} is ${a}, expected ${e}\n  actual[${from}..]   ${near(actual)}\n  expected[${from}..] ${near(expected)}`);
    }
  }
}

type AttrValue = number | number[] | string;

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'min', 'max']);

function attribute(name: string, v: AttrValue): Attribute {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) return { type: 'ints', value: v };
  return FLOAT_ATTRS.has(name) ? { type: 'float', value: v } : { type: 'int', value: v };
}

/** Runs the reference kernel of `op` on float32 inputs and returns its first output. */
export function reference(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, opset = 17): Tensor {
  const node: Node = {
    op,
    domain: '',
    name: 'ref',
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: ['out'],
    attrs: new Map(Object.entries(attrs).map(([k, v]) => [k, attribute(k, v)])),
  };
  const def = referenceOps[op];
  if (!def) throw new Error(`no reference kernel for ${op}`);
  return def.run({ node, opset }, inputs)[0]!;
}

export const f32Tensor = (data: Float32Array, dims: number[]) => new Tensor('float32', data, dims);

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/** The activations of codes.ts in plain TypeScript. */
export function activate(x: number, act: Activation): number {
  const { code, p0, p1 } = act;
  if (code === ACT.relu) return Math.max(0, x);
  if (code === ACT.clip) return clamp(x, p0, p1);
  if (code === ACT.hardSwish) return x * clamp(x / 6 + 0.5, 0, 1);
  if (code === ACT.sigmoid) return 1 / (1 + Math.exp(-x));
  if (code === ACT.tanh) return Math.tanh(x);
  if (code === ACT.leakyRelu) return x < 0 ? p0 * x : x;
  if (code === ACT.hardSigmoid) return clamp(p0 * x + p1, 0, 1);
  return x;
}

/** One activation of each kind, with parameters that matter for the values tests use (about [-3, 3]). */
export const TEST_ACTIVATIONS: { name: string; act: Activation }[] = [
  { name: 'none', act: { code: ACT.none, p0: 0, p1: 0 } },
  { name: 'relu', act: { code: ACT.relu, p0: 0, p1: 0 } },
  { name: 'clip(-0.5,0.7)', act: { code: ACT.clip, p0: -0.5, p1: 0.7 } },
  { name: 'hardswish', act: { code: ACT.hardSwish, p0: 0, p1: 0 } },
  { name: 'sigmoid', act: { code: ACT.sigmoid, p0: 0, p1: 0 } },
  { name: 'tanh', act: { code: ACT.tanh, p0: 0, p1: 0 } },
  { name: 'leakyrelu(0.1)', act: { code: ACT.leakyRelu, p0: 0.1, p1: 0 } },
  { name: 'hardsigmoid(0.2,0.5)', act: { code: ACT.hardSigmoid, p0: 0.2, p1: 0.5 } },
];
