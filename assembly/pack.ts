// Weight packing for the GEMM kernels, done once at load time. Two layouts:
//   n8:  B [K, N] as column panels [ceil(N/8)][K][8]  (B operand of f32_gemm_4x8; zero-padded last panel)
//   gm4: A [G][M/G, K] as row panels [G][ceil((M/G)/4)][K][4]  (weights of f32_conv2d_4x8; zero-padded)

/** Bytes of a B [K, N] matrix in layout n8. */
export function f32_pack_n8_bytes(k: i32, n: i32): i32 {
  return ((n + 7) >> 3) * k * 32;
}

/** Bytes of G weight matrices [M/G, K] in layout gm4. */
export function f32_pack_gm4_bytes(m: i32, k: i32, group: i32): i32 {
  const mg = m / group;
  return group * ((mg + 3) >> 2) * k * 16;
}

/**
 * Packs alpha * B into layout n8, B read at b[kk * kStride + j * nStride] (floats): (ldb, 1) for B stored
 * [K, N], (1, ldb) for B stored transposed [N, K] (Gemm transB=1, i.e. every exported Linear layer).
 */
function packN8(out: usize, b: usize, k: i32, n: i32, kStride: i32, nStride: i32, alpha: f32): void {
  for (let j0 = 0; j0 < n; j0 += 8) {
    const nr = min(8, n - j0);
    for (let kk = 0; kk < k; kk++) {
      const src = b + ((<usize>kk * kStride + <usize>j0 * nStride) << 2);
      let j = 0;
      for (; j < nr; j++) store<f32>(out + (<usize>j << 2), alpha * load<f32>(src + ((<usize>j * nStride) << 2)));
      for (; j < 8; j++) store<f32>(out + (<usize>j << 2), 0);
      out += 32;
    }
  }
}

/** Packs alpha * B, B stored [K, N] with row stride ldb floats, into layout n8 at `out`. */
export function f32_pack_n8__kn(out: usize, b: usize, k: i32, n: i32, ldb: i32, alpha: f32): void {
  packN8(out, b, k, n, ldb, 1, alpha);
}

/** Packs alpha * B, B stored transposed as [N, K] with row stride ldb floats, into layout n8 at `out`. */
export function f32_pack_n8__nk(out: usize, b: usize, k: i32, n: i32, ldb: i32, alpha: f32): void {
  packN8(out, b, k, n, 1, ldb, alpha);
}

/** Packs Conv weights W [M, K] (K = C/G * kh * kw, groups stacked along M) into layout gm4 at `out`. */
export function f32_pack_gm4__mk(out: usize, w: usize, m: i32, k: i32, group: i32): void {
  const mg = m / group;
  for (let g = 0; g < group; g++) {
    for (let i0 = 0; i0 < mg; i0 += 4) {
      const mr = min(4, mg - i0);
      const rows = w + ((<usize>(g * mg + i0) * k) << 2);
      for (let kk = 0; kk < k; kk++) {
        let r = 0;
        for (; r < mr; r++) store<f32>(out + (<usize>r << 2), load<f32>(rows + ((<usize>r * k + kk) << 2)));
        for (; r < 4; r++) store<f32>(out + (<usize>r << 2), 0);
        out += 16;
      }
    }
  }
}
