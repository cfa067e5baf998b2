// The kernel list: every function the JS glue binds. scripts/build-wasm.mjs reads these export lines and
// re-exports each name with its implementation suffix (__wasmsimd, __wasmrelaxedsimd, __scalar).

export { heap_base } from './runtime';
export { f32_pack_n8_bytes, f32_pack_gm4_bytes, f32_pack_n8__kn, f32_pack_n8__nk, f32_pack_gm4__mk } from './pack';
export { f32_gemm_4x8, f32_gemm_pa_4x8 } from './gemm';
export { f32_conv2d_scratch_bytes, f32_conv2d_4x8 } from './conv';
export { f32_dwconv2d_scratch_bytes, f32_dwconv2d_x8 } from './depthwise';
export { f32_maxpool2d_x4, f32_avgpool2d_x4, f32_global_avgpool_x4 } from './pool';
export { f32_vact_x8 } from './activation';
export { f32_vadd_x8, f32_vsub_x8, f32_vmul_x8, f32_vdiv_x8 } from './elementwise';
export { f32_softmax_lastaxis_x4 } from './softmax';
export { f32_layernorm_lastaxis_x4 } from './layernorm';
