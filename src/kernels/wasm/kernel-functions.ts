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
  /** Bytes of 3x3 Conv weights [M, C, 3, 3] in layout wino2x2: [16][ceil(M/4)][C][4]. */
  f32_pack_wino2x2_bytes(m: number, c: number): number;
  /** Packs 3x3 Conv weights [M, C, 3, 3] (one group) as U = G g Gt (Winograd F(2x2, 3x3)) into layout wino2x2. */
  f32_pack_wino2x2__mk(out: Ptr, w: Ptr, m: number, c: number): void;
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
  /** Scratch bytes of f32_conv2d_direct_4x8 (padded, stride-phase-split input of one group + tap offsets). */
  f32_conv2d_direct_scratch_bytes(
    cg: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number,
  ): number;
  /** As f32_conv2d_4x8 (weights packed gm4) without im2col, for ow >= 8; falls back to f32_conv2d_4x8 otherwise. */
  f32_conv2d_direct_4x8(
    x: Ptr, y: Ptr, wPacked: Ptr, bias: Ptr, scratch: Ptr,
    n: number, c: number, h: number, w: number, m: number, group: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
    act: number, p0: number, p1: number,
  ): void;
  /** Scratch bytes of f32_conv3x3_wino2x2_4x8 (transformed tiles of one block of tile rows + a padded input block). */
  f32_conv3x3_wino2x2_scratch_bytes(c: number, m: number, oh: number, ow: number): number;
  /**
   * 3x3, stride 1, dilation 1, one group: y [N, m, oh, ow] = act(conv(x, w packed wino2x2) + bias) by Winograd F(2x2, 3x3),
   * for m of the mPacked channels the weights were packed for (wPacked and bias advanced to a multiple of 4 channels).
   */
  f32_conv3x3_wino2x2_4x8(
    x: Ptr, y: Ptr, wPacked: Ptr, bias: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, m: number, mPacked: number,
    pt: number, pl: number, oh: number, ow: number, act: number, p0: number, p1: number,
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
  /** Scratch bytes of f32_dwconv2d_3x3_x4 for input rows of w floats (a zero row and edge copies). */
  f32_dwconv2d_3x3_scratch_bytes(w: number): number;
  /**
   * Depthwise 3x3, stride s (1 or 2), dilation 1, pads <= 1, ow >= 5 (w >= 8 at stride 2), straight from the input:
   * y [N, C, oh, ow] = act(dwconv(x [N, C, H, W], w [C, 1, 3, 3]) + bias[C]); pt/pl = top/left pads.
   */
  f32_dwconv2d_3x3_x4(
    x: Ptr, y: Ptr, w: Ptr, bias: Ptr, scratch: Ptr, n: number, c: number, h: number, width: number,
    s: number, pt: number, pl: number, oh: number, ow: number, act: number, p0: number, p1: number,
  ): void;
  /** Bytes of depthwise weights [C, 1, kh, kw] in layout c4: [ceil(C/4)][kh * kw][4]. */
  f32_pack_dw_c4_bytes(c: number, kh: number, kw: number): number;
  /** Packs depthwise weights [C, 1, kh, kw] into layout c4. */
  f32_pack_dw_c4__ck(out: Ptr, w: Ptr, c: number, kh: number, kw: number): void;
  /** Scratch bytes of f32_dwconv2d_c4 (4 channel planes interleaved with their padding). */
  f32_dwconv2d_c4_scratch_bytes(kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, oh: number, ow: number): number;
  /** Depthwise, 4 channels per vector: y [N, C, oh, ow] = act(dwconv(x, w packed c4) + bias[C]); y must not overlap x. */
  f32_dwconv2d_c4(
    x: Ptr, y: Ptr, wPacked: Ptr, bias: Ptr, scratch: Ptr, n: number, c: number, h: number, width: number,
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
  // int8 kernels (assembly/int8/). `params` is a QOut block of 8 int32: [bias*, multiplier*, shift*, xZero, yZero,
  // min, max, flags] with per-output-channel int32 arrays; flags bit 0 = uint8 tensors.
  /** Bytes of int8 Conv weights [M, C/G, kh, kw] in layout m4tc2: [G][ceil((M/G)/4)][kh*kw][ceil((C/G)/2)][4][2] i16. */
  qs8_pack_m4tc2_bytes(m: number, cg: number, taps: number, group: number): number;
  /** Packs W [M, C/G, taps] minus wZero[M] (int32) into m4tc2; flags bit 0: W is uint8. */
  qs8_pack_m4tc2__mct(out: Ptr, w: Ptr, wZero: Ptr, m: number, cg: number, taps: number, group: number, flags: number): void;
  /** Scratch bytes of qs8_conv2d_m4tc2 (cg = C / group): one group's channel-pair planes. */
  qs8_conv2d_scratch_bytes(
    cg: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): number;
  /** y [N, M, oh, ow] = requant(conv(x - xZero, w packed m4tc2) + bias): implicit GEMM on channel-pair planes, dot_i16x8. */
  qs8_conv2d_m4tc2(
    x: Ptr, y: Ptr, wPacked: Ptr, params: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, m: number, group: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  /** Bytes of 3x3 int8 weights [M, C, 3, 3] in layout m4wino2x2k2: [ceil(M/4)][16][ceil(C/2)][4][2] i16. */
  qs8_pack_wino2x2_bytes(m: number, c: number): number;
  /** Packs 3x3 weights minus wZero[M] as U' = G' g G'^T (G' = 2G, exact integers) into m4wino2x2k2. */
  qs8_pack_wino2x2__mc(out: Ptr, w: Ptr, wZero: Ptr, m: number, c: number, flags: number): void;
  /** Scratch bytes of qs8_conv3x3_wino2x2. */
  qs8_conv3x3_wino2x2_scratch_bytes(c: number, m: number, oh: number, ow: number): number;
  /** 3x3 stride 1, one group: y = requant(conv(x - xZero, w) + bias) by exact integer Winograd F(2x2, 3x3). */
  qs8_conv3x3_wino2x2(
    x: Ptr, y: Ptr, wPacked: Ptr, params: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, m: number,
    pt: number, pl: number, oh: number, ow: number,
  ): void;
  /** Bytes of depthwise weights [C, 1, kh, kw] in layout dwk2: [C][ceil(kh/2)][kw][2] i16. */
  qs8_pack_dwk2_bytes(c: number, kh: number, kw: number): number;
  /** Packs depthwise weights minus wZero[C] into dwk2. */
  qs8_pack_dwk2__ck(out: Ptr, w: Ptr, wZero: Ptr, c: number, kh: number, kw: number, flags: number): void;
  /** Scratch bytes of qs8_dwconv2d_dwk2 (one channel's plane of vertical tap pairs). */
  qs8_dwconv2d_scratch_bytes(kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, oh: number, ow: number): number;
  /** Depthwise y [N, C, oh, ow] = requant(dwconv(x - xZero, w packed dwk2) + bias). */
  qs8_dwconv2d_dwk2(
    x: Ptr, y: Ptr, wPacked: Ptr, params: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  /** Bytes of W [K, N] in layout n8k2b: [ceil(N/8)][ceil(K/2)][8][2] int8. */
  qs8_pack_n8k2b_bytes(k: number, n: number): number;
  /** Packs W [K, N] minus wZero[N] into n8k2b (each difference must fit int8). */
  qs8_pack_n8k2b__kn(out: Ptr, w: Ptr, wZero: Ptr, k: number, n: number, flags: number): void;
  /** Scratch bytes of qs8_gemm_n8k2b. */
  qs8_gemm_scratch_bytes(k: number, n: number): number;
  /** y [M, N] = requant((A - xZero) [M, K] x W packed n8k2b + bias[N]), per-column requantization. */
  qs8_gemm_n8k2b(a: Ptr, y: Ptr, wPacked: Ptr, params: Ptr, scratch: Ptr, m: number, k: number, n: number): void;
  /** TFLite's quantized Add of n same-shaped elements (y may alias a or b). */
  qs8_vadd(
    a: Ptr, b: Ptr, y: Ptr, n: number, aZero: number, aMult: number, aShift: number, bZero: number, bMult: number, bShift: number,
    leftShift: number, yMult: number, yShift: number, yZero: number, lo: number, hi: number, flags: number,
  ): void;
  /** Fills a 65536-byte table with qs8_vadd of every pair of input bytes, (a << 8) | b (scratch: 512 bytes). */
  qs8_vadd_lut_build(
    table: Ptr, scratch: Ptr, aZero: number, aMult: number, aShift: number, bZero: number, bMult: number, bShift: number,
    leftShift: number, yMult: number, yShift: number, yZero: number, lo: number, hi: number, flags: number,
  ): void;
  /** y[i] = table[(a[i] << 8) | b[i]]: the quantized Add as one lookup per element. */
  qs8_vadd_lut(a: Ptr, b: Ptr, y: Ptr, n: number, table: Ptr): void;
  /** Int8 MaxPool over nc planes. */
  qs8_maxpool2d(
    x: Ptr, y: Ptr, nc: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    pt: number, pl: number, oh: number, ow: number, flags: number,
  ): void;
  /** Int8 AveragePool: window sums requantized with mults/shifts[count - 1]. */
  qs8_avgpool2d(
    x: Ptr, y: Ptr, nc: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, pb: number, pr: number, oh: number, ow: number, countIncludePad: number,
    xZero: number, mults: Ptr, shifts: Ptr, yZero: number, lo: number, hi: number, flags: number,
  ): void;
  /** Int8 GlobalAveragePool over nc planes of hw values; mult/shift are those of count hw. */
  qs8_global_avgpool(x: Ptr, y: Ptr, nc: number, hw: number, xZero: number, mult: number, shift: number, yZero: number, lo: number, hi: number, flags: number): void;
  /** Per-tensor QuantizeLinear of n floats. */
  qs8_quantize_f32(x: Ptr, y: Ptr, n: number, scale: number, zeroPoint: number, flags: number): void;
  /** Per-tensor DequantizeLinear of n int8 / uint8 values. */
  qs8_dequantize_f32(x: Ptr, y: Ptr, n: number, scale: number, zeroPoint: number, flags: number): void;
  /** Bytes of depthwise 3x3 weights in layout dw3x3 (i16 tap pairs and the bias folded with the input zero point). */
  qs8_pack_dw3x3_bytes(c: number): number;
  /** Packs depthwise 3x3 weights minus wZero[C] and bias - xZero * Σ w' (bias 0: none) into dw3x3. */
  qs8_pack_dw3x3__ck(out: Ptr, w: Ptr, wZero: Ptr, bias: Ptr, c: number, xZero: number, flags: number): void;
  /** Scratch bytes of qs8_dwconv2d_3x3 (one channel's int8 plane padded with the zero point). */
  qs8_dwconv2d_3x3_scratch_bytes(w: number, s: number, pl: number, oh: number, ow: number): number;
  /** Depthwise 3x3 y [N, C, oh, ow] = requant(dwconv(x - xZero, w packed dw3x3) + bias) at stride s (1 or 2), dilation 1. */
  qs8_dwconv2d_3x3(
    x: Ptr, y: Ptr, wPacked: Ptr, params: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, s: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
  /** Scratch bytes of qs8_conv2d_m4k2: one pair plane per pair of K = C * kh * kw. */
  qs8_conv2d_k2_scratch_bytes(c: number, kh: number, kw: number, oh: number, ow: number): number;
  /** One group, few input channels: qs8_conv2d_m4tc2 with im2col index pairs; W [M, C * kh * kw] packed m4tc2 with one tap. */
  qs8_conv2d_m4k2(
    x: Ptr, y: Ptr, wPacked: Ptr, params: Ptr, scratch: Ptr, n: number, c: number, h: number, w: number, m: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, oh: number, ow: number,
  ): void;
}

export type KernelName = keyof WasmKernelFunctions;

// A record (not a list) so the compiler checks that every signature above has its entry.
const NAMES: Record<KernelName, true> = {
  f32_pack_n8_bytes: true,
  f32_pack_gm4_bytes: true,
  f32_pack_n8__kn: true,
  f32_pack_n8__nk: true,
  f32_pack_gm4__mk: true,
  f32_pack_wino2x2_bytes: true,
  f32_pack_wino2x2__mk: true,
  f32_gemm_4x8: true,
  f32_gemm_pa_4x8: true,
  f32_conv2d_scratch_bytes: true,
  f32_conv2d_4x8: true,
  f32_conv2d_direct_scratch_bytes: true,
  f32_conv2d_direct_4x8: true,
  f32_conv3x3_wino2x2_scratch_bytes: true,
  f32_conv3x3_wino2x2_4x8: true,
  f32_dwconv2d_scratch_bytes: true,
  f32_dwconv2d_x8: true,
  f32_dwconv2d_3x3_scratch_bytes: true,
  f32_dwconv2d_3x3_x4: true,
  f32_pack_dw_c4_bytes: true,
  f32_pack_dw_c4__ck: true,
  f32_dwconv2d_c4_scratch_bytes: true,
  f32_dwconv2d_c4: true,
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
  qs8_pack_m4tc2_bytes: true,
  qs8_pack_m4tc2__mct: true,
  qs8_conv2d_scratch_bytes: true,
  qs8_conv2d_m4tc2: true,
  qs8_pack_wino2x2_bytes: true,
  qs8_pack_wino2x2__mc: true,
  qs8_conv3x3_wino2x2_scratch_bytes: true,
  qs8_conv3x3_wino2x2: true,
  qs8_pack_dwk2_bytes: true,
  qs8_pack_dwk2__ck: true,
  qs8_dwconv2d_scratch_bytes: true,
  qs8_dwconv2d_dwk2: true,
  qs8_pack_n8k2b_bytes: true,
  qs8_pack_n8k2b__kn: true,
  qs8_gemm_scratch_bytes: true,
  qs8_gemm_n8k2b: true,
  qs8_vadd: true,
  qs8_vadd_lut_build: true,
  qs8_vadd_lut: true,
  qs8_maxpool2d: true,
  qs8_avgpool2d: true,
  qs8_global_avgpool: true,
  qs8_quantize_f32: true,
  qs8_dequantize_f32: true,
  qs8_pack_dw3x3_bytes: true,
  qs8_pack_dw3x3__ck: true,
  qs8_dwconv2d_3x3_scratch_bytes: true,
  qs8_dwconv2d_3x3: true,
  qs8_conv2d_k2_scratch_bytes: true,
  qs8_conv2d_m4k2: true,
};

export const KERNEL_NAMES = Object.keys(NAMES) as KernelName[];
