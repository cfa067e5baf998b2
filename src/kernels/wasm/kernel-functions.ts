// The typed signatures of the WebAssembly kernels (assembly/index.ts): byte offsets into the module's memory,
// sizes in elements, strides in floats. Each build exports them as `name__<variant>`.

/** A byte offset into the WebAssembly memory (0 = none, for optional operands). */
export type Ptr = number;

export interface WasmKernelFunctions {
  /** Bytes of B [K, N] in layout n8: panels [ceil(N/8)][K][8]. */
  f32_pack_n8_bytes(k: number, n: number): number;
  /** Bytes of Conv weights [M, K] in `group` groups in layout gm4: [G][ceil((M/G)/4)][K][4]. */
  f32_pack_gm4_bytes(m: number, k: number, group: number): number;
  /** Packs alpha * B (B stored [K, N], row stride ldb) into layout n8. */
  f32_pack_n8__kn(out: Ptr, b: Ptr, k: number, n: number, ldb: number, alpha: number): void;
  /** Packs alpha * B (B stored transposed [N, K], row stride ldb: Gemm transB=1) into layout n8. */
  f32_pack_n8__nk(out: Ptr, b: Ptr, k: number, n: number, ldb: number, alpha: number): void;
  /** Packs Conv weights W [M, K] (K = C/G * kh * kw) into layout gm4. */
  f32_pack_gm4__mk(out: Ptr, w: Ptr, m: number, k: number, group: number): void;
  /** C = act(A·B + bias); A [M, K] row stride lda; B packed n8; biasMode from BIAS (bias[M] or bias[N]). */
  f32_gemm_4x8(
    m: number, n: number, k: number, a: Ptr, lda: number, bPacked: Ptr, c: Ptr, ldc: number,
    bias: Ptr, biasMode: number, act: number, p0: number, p1: number,
  ): void;
  /** C = act(A·B + bias[M]); A packed gm4 (one group); B [K, N] read in place with row stride ldb. */
  f32_gemm_pa_4x8(
    m: number, n: number, k: number, aPacked: Ptr, b: Ptr, ldb: number, c: Ptr, ldc: number,
    bias: Ptr, act: number, p0: number, p1: number,
  ): void;
  /** Scratch bytes of f32_conv2d_4x8 for this geometry (cg = C / group); 0 when none is needed. */
  f32_conv2d_scratch_bytes(
    cg: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number,
  ): number;
  /** y [N, M, oh, ow] = act(conv(x [N, C, H, W], w packed gm4) + bias[M]); pt/pl = top/left pads. */
  f32_conv2d_4x8(
    x: Ptr, y: Ptr, wPacked: Ptr, bias: Ptr, scratch: Ptr,
    n: number, c: number, h: number, w: number, m: number, group: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
    act: number, p0: number, p1: number,
  ): void;
  /** Scratch bytes of f32_dwconv2d_x8 (one zero-padded plane); 0 when none is needed. */
  f32_dwconv2d_scratch_bytes(
    h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): number;
  /** Depthwise: y [N, C, oh, ow] = act(dwconv(x [N, C, H, W], w [C, 1, kh, kw]) + bias[C]); y must not overlap x. */
  f32_dwconv2d_x8(
    x: Ptr, y: Ptr, w: Ptr, bias: Ptr, scratch: Ptr, n: number, c: number, h: number, width: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
    act: number, p0: number, p1: number,
  ): void;
  /** MaxPool over nc planes H x W into oh x ow. */
  f32_maxpool2d_x4(
    x: Ptr, y: Ptr, nc: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number,
  ): void;
  /** AveragePool over nc planes; pads top/left/bottom/right; countIncludePad 0/1. */
  f32_avgpool2d_x4(
    x: Ptr, y: Ptr, nc: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, pb: number, pr: number, oh: number, ow: number, countIncludePad: number,
  ): void;
  /** y[p] = mean of plane p (nc planes of hw floats). */
  f32_global_avgpool_x4(x: Ptr, y: Ptr, nc: number, hw: number): void;
  /** y = act(x) for n floats (in place allowed). */
  f32_vact_x8(x: Ptr, y: Ptr, n: number, act: number, p0: number, p1: number): void;
  /** y = act(a + b) over [outer, c, inner]; b broadcast per BCAST. */
  f32_vadd_x8(a: Ptr, b: Ptr, y: Ptr, outer: number, c: number, inner: number, bcast: number, swap: number, act: number, p0: number, p1: number): void;
  /** y = act(a - b), or act(b - a) with swap = 1. */
  f32_vsub_x8(a: Ptr, b: Ptr, y: Ptr, outer: number, c: number, inner: number, bcast: number, swap: number, act: number, p0: number, p1: number): void;
  /** y = act(a * b). */
  f32_vmul_x8(a: Ptr, b: Ptr, y: Ptr, outer: number, c: number, inner: number, bcast: number, swap: number, act: number, p0: number, p1: number): void;
  /** y = act(a / b), or act(b / a) with swap = 1. */
  f32_vdiv_x8(a: Ptr, b: Ptr, y: Ptr, outer: number, c: number, inner: number, bcast: number, swap: number, act: number, p0: number, p1: number): void;
  /** Softmax over the last axis of rows x cols. */
  f32_softmax_lastaxis_x4(x: Ptr, y: Ptr, rows: number, cols: number): void;
  /** LayerNormalization over the last axis of rows x cols; gamma/beta [cols] or 0. */
  f32_layernorm_lastaxis_x4(x: Ptr, y: Ptr, rows: number, cols: number, gamma: Ptr, beta: Ptr, epsilon: number): void;
}

export type KernelName = keyof WasmKernelFunctions;

// A record (not a list) so the compiler checks that every signature above has its entry.
const NAMES: Record<KernelName, true> = {
  f32_pack_n8_bytes: true,
  f32_pack_gm4_bytes: true,
  f32_pack_n8__kn: true,
  f32_pack_n8__nk: true,
  f32_pack_gm4__mk: true,
  f32_gemm_4x8: true,
  f32_gemm_pa_4x8: true,
  f32_conv2d_scratch_bytes: true,
  f32_conv2d_4x8: true,
  f32_dwconv2d_scratch_bytes: true,
  f32_dwconv2d_x8: true,
  f32_maxpool2d_x4: true,
  f32_avgpool2d_x4: true,
  f32_global_avgpool_x4: true,
  f32_vact_x8: true,
  f32_vadd_x8: true,
  f32_vsub_x8: true,
  f32_vmul_x8: true,
  f32_vdiv_x8: true,
  f32_softmax_lastaxis_x4: true,
  f32_layernorm_lastaxis_x4: true,
};

export const KERNEL_NAMES = Object.keys(NAMES) as KernelName[];
