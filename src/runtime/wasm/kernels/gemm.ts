// Gemm / FusedGemm / MatMul on the WebAssembly GEMM: constant B packed once at load (layout n8, alpha
// folded in), bias and activation in the epilogue, cut across threads by column panels; MatMul with a
// computed B packs it per run in scratch.

import { attrFloat, attrInt } from '../../../ir/attrs.js';
import { BIAS, NO_ACTIVATION, type Activation } from '../../../kernels/wasm/codes.js';
import { sizeOf } from '../../../tensor/shape.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { cachedCall, f32Dims, fusedActivation, upload } from './common.js';

export function prepareGemm(ctx: WasmKernelContext): PreparedKernel | undefined {
  const a = f32Dims(ctx.inputs[0]);
  const y = f32Dims(ctx.outputs[0]);
  const b = ctx.constant(1);
  const act = fusedActivation(ctx.node);
  if (!a || !y || a.length !== 2 || !b || b.type !== 'float32' || b.dims.length !== 2 || !act) return undefined;
  if (attrInt(ctx.node, 'transA', 0) !== 0 || ctx.inputs[0] === undefined) return undefined;
  const [m, k] = a as [number, number];
  const n = y[1]!;
  const transB = attrInt(ctx.node, 'transB', 0) !== 0;
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const beta = attrFloat(ctx.node, 'beta', 1);

  let bias = 0;
  let biasMode: number = BIAS.none;
  if (ctx.node.inputs[2] && beta !== 0) {
    const c = ctx.constant(2);
    if (!c || c.type !== 'float32') return undefined;
    const values = c.toFloat32().map((v) => v * beta);
    const trailing = c.dims[c.dims.length - 1] ?? 1;
    if (c.size === 1) {
      bias = upload(ctx.wasm, new Float32Array(n).fill(values[0]!));
      biasMode = BIAS.col;
    } else if (c.size === n && trailing === n) {
      bias = upload(ctx.wasm, values);
      biasMode = BIAS.col;
    } else if (c.size === m && c.dims.length === 2 && trailing === 1) {
      bias = upload(ctx.wasm, values);
      biasMode = BIAS.row;
    } else return undefined;
  }
  const packed = packConstantB(ctx, b.toFloat32(), k, n, transB, alpha);
  return columnPanelGemm(ctx, { m, n, k, packed, bias, biasMode, act });
}

interface PackedGemm {
  m: number;
  n: number;
  k: number;
  /** B packed n8. */
  packed: number;
  bias: number;
  biasMode: number;
  act: Activation;
}

/**
 * C = A·B (+ bias, act) with B packed n8 at load: cut across threads by panels of 8 columns (a share is the
 * same GEMM on fewer columns, its B panels and C columns advanced).
 */
function columnPanelGemm(ctx: WasmKernelContext, g: PackedGemm): PreparedKernel {
  const panels = Math.ceil(g.n / 8);
  const argsOf = (a: number, c: number, begin: number, end: number) => {
    const j0 = begin * 8;
    const cols = Math.min(g.n, end * 8) - j0;
    const bias = g.bias && g.biasMode === BIAS.col ? g.bias + j0 * 4 : g.bias;
    return [g.m, cols, g.k, a, g.k, g.packed + begin * g.k * 32, c + j0 * 4, g.n, bias, g.biasMode, g.act.code, g.act.p0, g.act.p1];
  };
  return {
    name: `f32_gemm_4x8__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: cachedCall(ctx.wasm.fn.f32_gemm_4x8 as (...a: number[]) => unknown, (inp, out) => argsOf(inp[0]!, out[0]!, 0, panels)),
    partition: { kernel: 'f32_gemm_4x8', units: panels, macs: g.m * g.n * g.k, args: (inp, out, _scratch, begin, end) => argsOf(inp[0]!, out[0]!, begin, end) },
  };
}

/** B packed n8, once per session (the plans of every shape share it). */
function packConstantB(ctx: WasmKernelContext, values: Float32Array, k: number, n: number, transB: boolean, alpha: number): number {
  return ctx.once('packB', (wasm) => {
    const fn = wasm.fn;
    const packed = wasm.alloc(fn.f32_pack_n8_bytes(k, n), 16);
    const raw = upload(wasm, values);
    if (transB) fn.f32_pack_n8__nk(packed, raw, k, n, k, alpha);
    else fn.f32_pack_n8__kn(packed, raw, k, n, n, alpha);
    wasm.free(raw);
    return packed;
  });
}

export function prepareMatMul(ctx: WasmKernelContext): PreparedKernel | undefined {
  const a = f32Dims(ctx.inputs[0]);
  const bDims = f32Dims(ctx.inputs[1]);
  const y = f32Dims(ctx.outputs[0]);
  if (!a || !bDims || !y || a.length < 2 || bDims.length < 2 || ctx.inputs[0] === undefined) return undefined;
  const m = a[a.length - 2]!;
  const k = a[a.length - 1]!;
  const n = bDims[bDims.length - 1]!;
  const fn = ctx.wasm.fn;
  const constantB = ctx.constant(1);
  if (constantB && bDims.length === 2) {
    // [..., M, K] x [K, N]: all leading rows in one GEMM.
    const packed = packConstantB(ctx, constantB.toFloat32(), k, n, false, 1);
    return columnPanelGemm(ctx, { m: sizeOf(a) / k, n, k, packed, bias: 0, biasMode: BIAS.none, act: NO_ACTIVATION });
  }
  // Batched with equal batch dims (attention): pack each B slice into scratch, then multiply.
  if (constantB || a.length !== bDims.length || a.slice(0, -2).some((d, i) => d !== bDims[i])) return undefined;
  const batches = sizeOf(a.slice(0, -2));
  const packBytes = fn.f32_pack_n8_bytes(k, n);
  return {
    name: `f32_gemm_4x8__${ctx.wasm.variant} (batched, B packed per run)`,
    scratchBytes: packBytes,
    run: (inp, out, scratch) => {
      for (let i = 0; i < batches; i++) {
        fn.f32_pack_n8__kn(scratch, inp[1]! + i * k * n * 4, k, n, n, 1);
        fn.f32_gemm_4x8(m, n, k, inp[0]! + i * m * k * 4, k, scratch, out[0]! + i * m * n * 4, n, 0, BIAS.none, 0, 0, 0);
      }
    },
  };
}
