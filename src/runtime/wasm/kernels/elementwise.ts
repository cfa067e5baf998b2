// Add/Sub/Mul/Div and the activations on the WebAssembly kernels: float32, with the broadcast forms the
// kernels take ([outer, c, inner] with the second operand full, scalar, per channel or a trailing row).

import { BCAST, FUSABLE_ACTIVATIONS } from '../../../kernels/wasm/codes.js';
import type { WasmKernelFunctions } from '../../../kernels/wasm/kernel-functions.js';
import { sizeOf } from '../../../tensor/shape.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { f32Dims, fusedActivation, upload } from './common.js';

interface Broadcast {
  mode: number;
  outer: number;
  c: number;
  inner: number;
}

/** How `small` (right-aligned) broadcasts onto `full`, in the kernels' terms; undefined if no fast form. */
function broadcastForm(small: number[], full: number[]): Broadcast | undefined {
  const total = sizeOf(full);
  if (small.length > full.length) return undefined;
  const padded = [...new Array<number>(full.length - small.length).fill(1), ...small];
  if (padded.every((d, i) => d === full[i])) return { mode: BCAST.none, outer: 1, c: 1, inner: total };
  if (sizeOf(small) === 1) return { mode: BCAST.scalar, outer: 1, c: 1, inner: total };
  const nonOne = padded.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  if (nonOne.some((i) => padded[i] !== full[i])) return undefined;
  if (nonOne.length === 1) {
    const i = nonOne[0]!;
    return { mode: BCAST.channel, outer: sizeOf(full.slice(0, i)), c: full[i]!, inner: sizeOf(full.slice(i + 1)) };
  }
  const first = nonOne[0]!;
  if (nonOne.length === full.length - first) {
    return { mode: BCAST.row, outer: sizeOf(full.slice(0, first)), c: 1, inner: sizeOf(full.slice(first)) };
  }
  return undefined;
}

type BinaryKernel = 'f32_vadd_x8' | 'f32_vsub_x8' | 'f32_vmul_x8' | 'f32_vdiv_x8';

function binary(kernel: BinaryKernel) {
  return (ctx: WasmKernelContext): PreparedKernel | undefined => {
    const a = f32Dims(ctx.inputs[0]);
    const b = f32Dims(ctx.inputs[1]);
    const y = f32Dims(ctx.outputs[0]);
    const act = fusedActivation(ctx.node);
    if (!a || !b || !y || !act) return undefined;
    // The kernel reads its first operand full-size; swap when the first input is the broadcast one.
    const swap = sizeOf(a) === sizeOf(y) ? 0 : 1;
    const [fullIdx, smallIdx] = swap ? [1, 0] : [0, 1];
    const form = broadcastForm(swap ? a : b, y);
    if (!form || sizeOf(swap ? b : a) !== sizeOf(y) || !sameTail(swap ? b : a, y)) return undefined;
    const constants = [ctx.constant(0), ctx.constant(1)];
    const fixed = constants.map((t) => (t ? upload(ctx.wasm, t.toFloat32()) : -1));
    const fn: WasmKernelFunctions = ctx.wasm.fn;
    const f = fn[kernel];
    const { mode, outer, c, inner } = form;
    return {
      name: `${kernel}__${ctx.wasm.variant}`,
      scratchBytes: 0,
      run: (inp, out) => {
        const full = fixed[fullIdx]! >= 0 ? fixed[fullIdx]! : inp[fullIdx]!;
        const small = fixed[smallIdx]! >= 0 ? fixed[smallIdx]! : inp[smallIdx]!;
        f(full, small, out[0]!, outer, c, inner, mode, swap, act.code, act.p0, act.p1);
      },
    };
  };
}

function sameTail(a: number[], y: number[]): boolean {
  const padded = [...new Array<number>(y.length - a.length).fill(1), ...a];
  return padded.every((d, i) => d === y[i]);
}

function activation(op: string) {
  return (ctx: WasmKernelContext): PreparedKernel | undefined => {
    const x = f32Dims(ctx.inputs[0]);
    if (!x || ctx.inputs[0] === undefined) return undefined;
    let clipMin: number | undefined;
    let clipMax: number | undefined;
    if (op === 'Clip' && ctx.opset >= 11) {
      if ((ctx.node.inputs[1] && !ctx.constant(1)) || (ctx.node.inputs[2] && !ctx.constant(2))) return undefined;
      clipMin = ctx.constant(1)?.toNumbers()[0];
      clipMax = ctx.constant(2)?.toNumbers()[0];
    }
    const act = FUSABLE_ACTIVATIONS[op]!(ctx.node, clipMin, clipMax);
    const n = sizeOf(x);
    const fn = ctx.wasm.fn;
    return {
      name: `f32_vact_x8__${ctx.wasm.variant}`,
      scratchBytes: 0,
      run: (inp, out) => fn.f32_vact_x8(inp[0]!, out[0]!, n, act.code, act.p0, act.p1),
    };
  };
}

export const elementwiseKernels = {
  Add: binary('f32_vadd_x8'),
  Sub: binary('f32_vsub_x8'),
  Mul: binary('f32_vmul_x8'),
  Div: binary('f32_vdiv_x8'),
  'edgeinfer.FusedAdd': binary('f32_vadd_x8'),
  'edgeinfer.FusedSub': binary('f32_vsub_x8'),
  'edgeinfer.FusedMul': binary('f32_vmul_x8'),
  'edgeinfer.FusedDiv': binary('f32_vdiv_x8'),
  ...Object.fromEntries(Object.keys(FUSABLE_ACTIVATIONS).map((op) => [op, activation(op)])),
};
