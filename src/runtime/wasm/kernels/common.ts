// Helpers shared by the WebAssembly kernel glue: static shapes, copying constants into wasm memory,
// and the fused activation of a node as the kernels' (code, p0, p1).

import { attrFloats, attrString } from '../../../ir/attrs.js';
import type { Node, ValueType } from '../../../ir/graph.js';
import { staticShape } from '../../../ir/verify.js';
import { ACT, NO_ACTIVATION, type Activation } from '../../../kernels/wasm/codes.js';
import { callWithArgs, MAX_KERNEL_ARGS } from '../../../kernels/wasm/call-args.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { WasmKernels } from '../kernel-def.js';

/** Static float32 dims of a value, or undefined (the glue then leaves the node to the reference kernel). */
export function f32Dims(t: ValueType | undefined): number[] | undefined {
  return t && t.dtype === 'float32' ? staticShape(t.shape) : undefined;
}

/** Copies a float32 constant into wasm memory (once, at prepare time); returns its byte offset. */
export function upload(wasm: WasmKernels, values: Float32Array): number {
  const ptr = wasm.alloc(values.byteLength, 16);
  wasm.f32(ptr, values.length).set(values);
  return ptr;
}

export function uploadTensor(wasm: WasmKernels, t: Tensor | undefined): number {
  return t ? upload(wasm, t.toFloat32()) : 0;
}

const FUSED_CODES: Record<string, (p: number[]) => Activation> = {
  Relu: () => ({ code: ACT.relu, p0: 0, p1: 0 }),
  Clip: (p) => ({ code: ACT.clip, p0: p[0] ?? -Infinity, p1: p[1] ?? Infinity }),
  HardSwish: () => ({ code: ACT.hardSwish, p0: 0, p1: 0 }),
  Sigmoid: () => ({ code: ACT.sigmoid, p0: 0, p1: 0 }),
  Tanh: () => ({ code: ACT.tanh, p0: 0, p1: 0 }),
  LeakyRelu: (p) => ({ code: ACT.leakyRelu, p0: p[0] ?? 0.01, p1: 0 }),
  HardSigmoid: (p) => ({ code: ACT.hardSigmoid, p0: p[0] ?? 0.2, p1: p[1] ?? 0.5 }),
};

/** The epilogue of a fused node (edgeinfer.FusedConv/FusedGemm), or none; undefined if unknown. */
export function fusedActivation(node: Node): Activation | undefined {
  const name = attrString(node, 'activation');
  if (name === undefined) return NO_ACTIVATION;
  return FUSED_CODES[name]?.(attrFloats(node, 'activation_params') ?? []);
}

/**
 * A kernel run from its argument list: `argsOf` is called when the offsets change (a plan passes the same ones
 * every run), so a steady-state run makes no array.
 */
export function cachedCall(
  kernel: (...args: number[]) => unknown,
  argsOf: (inputs: Int32Array, outputs: Int32Array, scratch: number) => number[],
): (inputs: Int32Array, outputs: Int32Array, scratch: number) => void {
  const args = new Float64Array(MAX_KERNEL_ARGS);
  let inputs: Int32Array | undefined;
  let outputs: Int32Array | undefined;
  let lastScratch = -1;
  return (inp, out, scratch) => {
    if (inp !== inputs || out !== outputs || scratch !== lastScratch) {
      args.fill(0).set(argsOf(inp, out, scratch));
      inputs = inp;
      outputs = out;
      lastScratch = scratch;
    }
    callWithArgs(kernel, args);
  };
}
