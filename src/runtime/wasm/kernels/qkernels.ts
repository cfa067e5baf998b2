// The int8 part of the WebAssembly kernel table: the integer ops the fuse-qdq pass makes, the float edges
// (QuantizeLinear / DequantizeLinear) and MaxPool, whose int8 form runs where the float glue declines.

import type { WasmKernelTable } from '../kernel-def.js';
import { prepareMaxPool } from './pool.js';
import { prepareQAdd } from './qadd.js';
import { prepareQConv } from './qconv.js';
import { prepareQGemm } from './qgemm.js';
import { prepareDequantizeLinear, prepareQuantizeLinear } from './qlinear.js';
import { prepareQAveragePool, prepareQGlobalAveragePool, prepareQMaxPool } from './qpool.js';

export const int8Kernels: WasmKernelTable = {
  'edgeinfer.QLinearConvFixed': prepareQConv,
  'edgeinfer.QGemmFixed': prepareQGemm,
  'edgeinfer.QGemmToFloat': prepareQGemm,
  'edgeinfer.QAddFixed': prepareQAdd,
  'edgeinfer.QAveragePoolFixed': prepareQAveragePool,
  'edgeinfer.QGlobalAveragePoolFixed': prepareQGlobalAveragePool,
  QuantizeLinear: prepareQuantizeLinear,
  DequantizeLinear: prepareDequantizeLinear,
  MaxPool: (ctx) => prepareMaxPool(ctx) ?? prepareQMaxPool(ctx),
};
