// Shared by the int8 glue tests: runs one node through its WebAssembly glue (prepare, copy inputs into wasm memory,
// run, read the output back) and through its reference kernel, and compares them bit for bit, naming the case.

import type { Attribute, Node, ValueType } from '../../../ir/graph.js';
import type { OpDef } from '../../../kernels/op-def.js';
import { DTYPES } from '../../../tensor/dtype.js';
import { seededRandom } from '../../../tensor/random.js';
import { Tensor } from '../../../tensor/tensor.js';
import type { WasmKernelFactory, WasmKernels } from '../kernel-def.js';

/** Attribute values: int, ints, string, or floats (a Float32Array). */
export type QAttrs = Record<string, number | number[] | string | Float32Array>;

/** A node of domain `domain` with inputs in0, in1, … ('' where the input is undefined) and output y. */
export function qnode(op: string, attrs: QAttrs, inputs: (Tensor | undefined)[], domain = 'edgeinfer'): Node {
  const toAttr = (v: number | number[] | string | Float32Array): Attribute =>
    typeof v === 'string'
      ? { type: 'string', value: v }
      : v instanceof Float32Array
        ? { type: 'floats', value: Array.from(v) }
        : Array.isArray(v)
          ? { type: 'ints', value: v }
          : { type: 'int', value: v };
  return {
    op,
    domain,
    name: `${op.toLowerCase()}_case`,
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: ['y'],
    attrs: new Map(Object.entries(attrs).map(([k, v]) => [k, toAttr(v)])),
  };
}

/**
 * Random float32 requantization scales like per-channel conv scales give (2^-14 .. 2^-6), sometimes above 1 (a
 * sum that grows): the float requantization's rounding and clamps both get exercised.
 */
export function randomScales(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() < 0.1 ? 1 + 3 * rand() : 2 ** (-14 + 8 * rand())));
}

/** Random int8 / uint8 values (or int32 in [lo, hi]) from `seed`. */
export function randomQ(dtype: 'int8' | 'uint8' | 'int32', dims: number[], seed: number, lo?: number, hi?: number): Tensor {
  const rand = seededRandom(seed);
  const min = lo ?? DTYPES[dtype].min!;
  const max = hi ?? DTYPES[dtype].max!;
  const n = dims.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers(dtype, Array.from({ length: n }, () => min + Math.floor(rand() * (max - min + 1))), dims);
}

const typeOf = (t: Tensor): ValueType => ({ dtype: t.type, shape: [...t.dims] });

export interface GlueRun {
  /** Implementation chosen, or undefined when the glue declined. */
  kernel?: string;
  /** Units of the node's partition (0: none). */
  units?: number;
  actual?: Tensor;
  expected: Tensor;
}

/**
 * Runs `node` with `ref` and, through `factory`, on the WebAssembly kernels; inputs listed in `constants` are
 * given to the glue as load-time constants, the others are copied into wasm memory. The output buffer is followed
 * by 16 guard bytes that must stay untouched. With `shares` > 1 and a partition, the node runs as that many
 * consecutive shares of its units (as kernel threads would, one after the other), each with its own scratch.
 * Frees everything it allocated.
 */
export function runGlue(
  wasm: WasmKernels, factory: WasmKernelFactory, ref: OpDef, node: Node, inputs: (Tensor | undefined)[], constants: number[], opset = 13, shares = 1,
): GlueRun {
  const expected = ref.run({ node, opset }, inputs)[0]!;
  const mark = wasm.mark();
  try {
    const prepared = factory({
      node,
      opset,
      inputs: inputs.map((t) => t && typeOf(t)),
      outputs: [typeOf(expected)],
      constant: (i) => (constants.includes(i) ? inputs[i] : undefined),
      wasm,
      once: (_key, make) => make(wasm), // one plan: nothing to share
    });
    if (!prepared) return { expected };
    const place = (t: Tensor, guard: boolean) => {
      const bytes = t.size * DTYPES[t.type].bytes;
      const ptr = wasm.alloc(bytes + (guard ? 16 : 0), 16);
      const view = new Uint8Array(wasm.memory.buffer, ptr, bytes + (guard ? 16 : 0));
      view.set(new Uint8Array(t.data.buffer, t.data.byteOffset, bytes));
      if (guard) view.fill(0xab, bytes);
      return ptr;
    };
    const inPtrs = Int32Array.from(inputs, (t, i) => (t && !constants.includes(i) ? place(t, false) : -1));
    const outBytes = expected.size * DTYPES[expected.type].bytes;
    const outPtr = place(Tensor.zeros(expected.type, expected.dims), true);
    const part = shares > 1 ? prepared.partition : undefined;
    if (part) {
      const kernel = wasm.fn[part.kernel] as (...a: number[]) => unknown;
      for (let i = 0; i < shares; i++) {
        const [begin, end] = [Math.floor((i * part.units) / shares), Math.floor(((i + 1) * part.units) / shares)];
        if (begin === end) continue;
        const bytes = part.scratchBytes?.(begin, end) ?? prepared.scratchBytes;
        kernel(...part.args(inPtrs, Int32Array.of(outPtr), bytes > 0 ? wasm.alloc(bytes, 16) : 0, begin, end));
      }
    } else {
      const scratch = prepared.scratchBytes > 0 ? wasm.alloc(prepared.scratchBytes, 16) : 0;
      prepared.run(inPtrs, Int32Array.of(outPtr), scratch);
    }
    const guard = new Uint8Array(wasm.memory.buffer, outPtr + outBytes, 16);
    if (!guard.every((b) => b === 0xab)) throw new Error(`${prepared.name} wrote past the end of its output`);
    const data = new DTYPES[expected.type].array(outBytes / DTYPES[expected.type].bytes);
    new Uint8Array(data.buffer).set(new Uint8Array(wasm.memory.buffer, outPtr, outBytes));
    return { kernel: prepared.name, units: prepared.partition?.units ?? 0, actual: new Tensor(expected.type, data, expected.dims), expected };
  } finally {
    wasm.reset(mark);
  }
}

/** Throws unless the two tensors are equal element for element, naming the case and the first difference with its neighbours. */
export function expectSame(run: GlueRun, what: string): void {
  const { actual, expected } = run;
  if (!actual) throw new Error(`${what}: the glue declined`);
  const a = actual.toNumbers();
  const e = expected.toNumbers();
  const i = e.findIndex((v, k) => v !== a[k]);
  if (i < 0 && a.length === e.length) return;
  const from = Math.max(0, i - 3);
  throw new Error(
    `${what} (${run.kernel}): element ${i} of [${expected.dims.join(',')}] is ${a[i]}, expected ${e[i]}\n` +
      `  actual[${from}..]   ${a.slice(from, from + 8).join(', ')}\n  expected[${from}..] ${e.slice(from, from + 8).join(', ')}`,
  );
}
