// The kernel list: every function the JS glue binds. scripts/build-wasm.mjs reads these export lines and
// re-exports each name with its implementation suffix (__wasmsimd, __wasmrelaxedsimd, __scalar).

export { heap_base } from './runtime';
export { f32_pack_n8_bytes, f32_pack_gm4_bytes, f32_pack_n8__kn, f32_pack_n8__nk, f32_pack_gm4__mk, f32_pack_wino2x2_bytes, f32_pack_wino2x2__mk } from './pack';
export { f32_gemm_4x8, f32_gemm_pa_4x8 } from './gemm';
export { f32_conv2d_scratch_bytes, f32_conv2d_4x8 } from './conv';
export { f32_conv2d_direct_scratch_bytes, f32_conv2d_direct_4x8 } from './conv-direct';
export { f32_conv3x3_wino2x2_scratch_bytes, f32_conv3x3_wino2x2_4x8 } from './winograd';
export { f32_dwconv2d_scratch_bytes, f32_dwconv2d_x8 } from './depthwise';
export { f32_dwconv2d_3x3_scratch_bytes, f32_dwconv2d_3x3_x4 } from './depthwise-3x3';
export { f32_pack_dw_c4_bytes, f32_pack_dw_c4__ck, f32_dwconv2d_c4_scratch_bytes, f32_dwconv2d_c4 } from './depthwise-c4';
export { f32_maxpool2d_x4, f32_avgpool2d_x4, f32_global_avgpool_x4 } from './pool';
export { f32_vact_x8 } from './activation';
export { f32_vadd_x8, f32_vsub_x8, f32_vmul_x8, f32_vdiv_x8 } from './elementwise';
export { f32_softmax_lastaxis_x4 } from './softmax';
export { f32_layernorm_lastaxis_x4 } from './layernorm';
export { qs8_pack_m4tc2_bytes, qs8_pack_m4tc2__mct, qs8_conv2d_scratch_bytes, qs8_conv2d_m4tc2 } from './int8/qconv';
export { qs8_pack_wino2x2_bytes, qs8_pack_wino2x2__mc, qs8_conv3x3_wino2x2_scratch_bytes, qs8_conv3x3_wino2x2 } from './int8/qwinograd';
export { qs8_pack_dwk2_bytes, qs8_pack_dwk2__ck, qs8_dwconv2d_scratch_bytes, qs8_dwconv2d_dwk2 } from './int8/qdwconv';
export { qs8_pack_n8k2b_bytes, qs8_pack_n8k2b__kn, qs8_gemm_scratch_bytes, qs8_gemm_n8k2b } from './int8/qgemm';
export { qs8_vadd, qs8_vadd_lut_build, qs8_vadd_lut } from './int8/qadd';
export { qs8_maxpool2d, qs8_avgpool2d, qs8_global_avgpool } from './int8/qpool';
export { qs8_quantize_f32, qs8_dequantize_f32 } from './int8/qlinear';
export { qs8_pack_dw3x3_bytes, qs8_pack_dw3x3__ck, qs8_dwconv2d_3x3_scratch_bytes, qs8_dwconv2d_3x3 } from './int8/qdwconv3x3';
export { qs8_conv2d_k2_scratch_bytes, qs8_conv2d_m4k2 } from './int8/qconv';
