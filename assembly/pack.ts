// Weight packing for the GEMM kernels, done once at load time. Three layouts:
//   n8:       B [K, N] as column panels [ceil(N/8)][K][8]  (B operand of f32_gemm_4x8; zero-padded last panel)
//   gm4:      A [G][M/G, K] as row panels [G][ceil((M/G)/4)][K][4]  (weights of f32_conv2d_4x8; zero-padded)
//   wino2x2:  3x3 Conv weights transformed for Winograd F(2x2, 3x3), [16][ceil(M/4)][C][4]  (f32_conv3x3_wino2x2_4x8)

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

/** Bytes of 3x3 Conv weights [M, C, 3, 3] in layout wino2x2: [16][ceil(M/4)][C][4]. */
export function f32_pack_wino2x2_bytes(m: i32, c: i32): i32 {
  return 16 * ((m + 3) >> 2) * c * 16;
}

// G of Winograd F(2x2, 3x3): U = G g Gt turns a 3x3 kernel into the 4x4 one the transformed tiles multiply.
@inline function gCoef(i: i32, k: i32): f64 {
  if (i == 0) return k == 0 ? 1 : 0;
  if (i == 3) return k == 2 ? 1 : 0;
  return i == 2 && k == 1 ? -0.5 : 0.5;
}

/**
 * Packs 3x3 Conv weights W [M, C, 3, 3] (one group) into layout wino2x2 at `out`: for each of the 16 entries
 * xi = 4i + j of U = G g Gt (computed in float64), a gm4 matrix [ceil(M/4)][C][4], rows past M zero.
 */
export function f32_pack_wino2x2__mk(out: usize, w: usize, m: i32, c: i32): void {
  const np = (m + 3) >> 2;
  memory.fill(out, 0, <usize>f32_pack_wino2x2_bytes(m, c));
  for (let o = 0; o < m; o++) {
    for (let ci = 0; ci < c; ci++) {
      const g = w + ((<usize>(o * c + ci) * 9) << 2);
      for (let i = 0; i < 4; i++) {
        // Row i of G g.
        let t0: f64 = 0, t1: f64 = 0, t2: f64 = 0;
        for (let k = 0; k < 3; k++) {
          const gk = gCoef(i, k);
          t0 += gk * <f64>load<f32>(g + (<usize>(3 * k) << 2));
          t1 += gk * <f64>load<f32>(g + (<usize>(3 * k + 1) << 2));
          t2 += gk * <f64>load<f32>(g + (<usize>(3 * k + 2) << 2));
        }
        for (let j = 0; j < 4; j++) {
          const u = t0 * gCoef(j, 0) + t1 * gCoef(j, 1) + t2 * gCoef(j, 2);
          const xi = 4 * i + j;
          store<f32>(out + ((<usize>((xi * np + (o >> 2)) * c + ci) << 4) + (<usize>(o & 3) << 2)), <f32>u);
        }
      }
    }
  }
}
