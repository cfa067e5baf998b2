// The WebAssembly kernel table: op key → glue that prepares a kernel for a node, or declines (the
// reference kernel then runs that node on views of the arena).

import type { WasmKernelTable } from '../kernel-def.js';
import { prepareConv } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import { prepareGemm, prepareMatMul } from './gemm.js';
import { prepareLayerNormalization, prepareSoftmax } from './normalization.js';
import { prepareAveragePool, prepareGlobalAveragePool, prepareMaxPool } from './pool.js';
import { int8Kernels } from './qkernels.js';

export const WASM_KERNELS: WasmKernelTable = {
  Conv: prepareConv,
  'edgeinfer.FusedConv': prepareConv,
  Gemm: prepareGemm,
  'edgeinfer.FusedGemm': prepareGemm,
  MatMul: prepareMatMul,
  MaxPool: prepareMaxPool,
  AveragePool: prepareAveragePool,
  GlobalAveragePool: prepareGlobalAveragePool,
  Softmax: prepareSoftmax,
  LayerNormalization: prepareLayerNormalization,
  ...elementwiseKernels,
  ...int8Kernels, // int8 ops; its MaxPool tries the float glue first
};
