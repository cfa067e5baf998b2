// edgeinfer.QAddFixed on the int8 WebAssembly kernels: two same-shaped int8 / uint8 tensors (a constant one is
// copied into wasm memory once). Large tensors use a 64 KiB table of every input pair's result, built once by the
// exact kernel (3x faster per element); broadcasting shapes decline to the reference kernel.

import { addParams } from '../../../kernels/ref/qfused.js';
import { sameShape } from '../../../tensor/shape.js';
import type { PreparedKernel, WasmKernelContext } from '../kernel-def.js';
import { qDims, qFlags, uploadBytes } from './qcommon.js';

/**
 * Elements from which the lookup table pays for its 64 KiB (measured: MobileNet-v2 0.35's four Adds of 1024 to
 * 4096 elements take 0.55x the vector kernel's time through the table).
 */
const LUT_MIN_ELEMENTS = 1024;
const LUT_BYTES = 65536;

export function prepareQAdd(ctx: WasmKernelContext): PreparedKernel | undefined {
  const a = qDims(ctx.inputs[0]);
  const b = qDims(ctx.inputs[1]);
  const y = qDims(ctx.outputs[0]);
  if (!a || !b || !y || !sameShape(a, b) || !sameShape(a, y)) return undefined;
  const dtype = ctx.inputs[0]!.dtype;
  const p = addParams(ctx, dtype);
  const n = a.reduce((s, d) => s * d, 1);
  // A constant operand (a DequantizeLinear of an initializer in the QDQ graph) lives in wasm memory from now on.
  const ca = ctx.constant(0);
  const cb = ctx.constant(1);
  const aPtr = ca ? uploadBytes(ctx.wasm, ca) : -1;
  const bPtr = cb ? uploadBytes(ctx.wasm, cb) : -1;
  const r = p.requant;
  const fn = ctx.wasm.fn;
  const args = [p.a.zeroPoint, p.a.multiplier, p.a.shift, p.b.zeroPoint, p.b.multiplier, p.b.shift, p.leftShift, r.multiplier[0]!, r.shift[0]!, r.zeroPoint, r.min, r.max, qFlags(dtype)] as const;
  if (n >= LUT_MIN_ELEMENTS) {
    // The table depends on the quantization parameters only: one per session, whatever the shapes planned.
    const table = ctx.once('lut', (wasm) => {
      const at = wasm.alloc(LUT_BYTES, 64);
      const scratch = wasm.alloc(512, 16);
      fn.qs8_vadd_lut_build(at, scratch, ...args);
      wasm.free(scratch);
      return at;
    });
    return {
      name: `qs8_vadd_lut__${ctx.wasm.variant}`,
      scratchBytes: 0,
      run: (inp, out) => fn.qs8_vadd_lut(aPtr >= 0 ? aPtr : inp[0]!, bPtr >= 0 ? bPtr : inp[1]!, out[0]!, n, table),
    };
  }
  return {
    name: `qs8_vadd__${ctx.wasm.variant}`,
    scratchBytes: 0,
    run: (inp, out) => fn.qs8_vadd(aPtr >= 0 ? aPtr : inp[0]!, bPtr >= 0 ? bPtr : inp[1]!, out[0]!, n, ...args),
  };
}
