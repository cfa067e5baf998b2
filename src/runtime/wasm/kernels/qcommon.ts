// Helpers shared by the int8 WebAssembly kernel glue: static int8/uint8 shapes, copying integer constants into wasm
// memory, and the 8-int32 parameter block (QOut in assembly/int8/requant.ts) that the conv and GEMM kernels read.

import type { ValueType } from '../../../ir/graph.js';
import { staticShape } from '../../../ir/verify.js';
import type { ScaleRequant } from '../../../kernels/ref/qfused.js';
import type { DataType, NumberArray } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { WasmKernels } from '../kernel-def.js';

/** Flag of the kernels: the int8 tensors are uint8 (Q_UNSIGNED in assembly/int8/requant.ts). */
export const Q_UNSIGNED = 1;

export const isQuantized = (dtype: DataType | undefined): dtype is 'int8' | 'uint8' => dtype === 'int8' || dtype === 'uint8';

/** Static dims of an int8 / uint8 value, or undefined (the glue then declines the node). */
export function qDims(t: ValueType | undefined): number[] | undefined {
  return t && isQuantized(t.dtype) ? staticShape(t.shape) : undefined;
}

export const qFlags = (dtype: DataType): number => (dtype === 'uint8' ? Q_UNSIGNED : 0);

/** Copies the bytes of an int8 / uint8 tensor into wasm memory (once, at prepare time); returns the offset. */
export function uploadBytes(wasm: WasmKernels, t: Tensor): number {
  const data = t.data as Int8Array | Uint8Array;
  const ptr = wasm.alloc(Math.max(data.length, 1), 16);
  new Uint8Array(wasm.memory.buffer, ptr, data.length).set(new Uint8Array(data.buffer, data.byteOffset, data.length));
  return ptr;
}

/** Copies int32 values into wasm memory; returns the offset. */
export function uploadInt32(wasm: WasmKernels, values: ArrayLike<number>): number {
  const ptr = wasm.alloc(Math.max(values.length, 1) * 4, 16);
  new Int32Array(wasm.memory.buffer, ptr, values.length).set(Array.from(values));
  return ptr;
}

/** A per-channel parameter (one value for all, or one per channel) as n values. */
export function perChannel(values: ArrayLike<number>, n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => values[values.length === 1 ? 0 : i]!);
}

/** Copies float32 values into wasm memory; returns the offset. */
export function uploadFloat32(wasm: WasmKernels, values: ArrayLike<number>): number {
  const ptr = wasm.alloc(Math.max(values.length, 1) * 4, 16);
  new Float32Array(wasm.memory.buffer, ptr, values.length).set(Array.from(values));
  return ptr;
}

/** A per-channel float32 scale (one value for all, or one per channel) as n values. */
export const perChannelScale = (values: Float32Array, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => values[values.length === 1 ? 0 : i]!);

/**
 * The QOut block of a conv / GEMM node: [bias*, scale*, 0, xZero, yZero, min, max, flags], with the per-channel
 * arrays (channels values each: int32 bias, float32 scale) uploaded next to it. An absent bias is zeros.
 */
export function uploadQOut(wasm: WasmKernels, channels: number, bias: Tensor | undefined, xZero: number, r: ScaleRequant, dtype: DataType): number {
  const biasPtr = uploadInt32(wasm, bias ? (bias.data as NumberArray) : new Int32Array(channels));
  const scalePtr = uploadFloat32(wasm, perChannelScale(r.scale, channels));
  return uploadInt32(wasm, [biasPtr, scalePtr, 0, xZero, r.zeroPoint, r.min, r.max, qFlags(dtype)]);
}
