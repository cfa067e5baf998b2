// Pre-processing before calibration and quantization (as onnxruntime's quant_pre_process): the graph passes
// that keep the model standard ONNX — copies removed, constants folded, MatMul + Add as Gemm, BatchNormalization
// folded into its Conv/Gemm — and none that adds edgeinfer-domain ops. Calibrate the prepared model, then quantize it.

import type { Model } from '../../ir/graph.js';
import { referenceOps } from '../../kernels/ref/index.js';
import { optimizeModel } from '../../passes/index.js';
import { eliminateDeadPass } from '../../passes/eliminate-dead.js';
import { eliminateIdentityPass } from '../../passes/eliminate-identity.js';
import { foldBatchNormPass } from '../../passes/fold-batchnorm.js';
import { foldConstantsPass } from '../../passes/fold-constants.js';
import { fuseMatMulAddPass } from '../../passes/fuse-matmul-add.js';

/** Passes whose output is standard ONNX, in the optimizer's order (fuse-activation, which makes edgeinfer ops, is left out). */
export const PREPARE_PASSES = [eliminateIdentityPass, foldConstantsPass, fuseMatMulAddPass, foldBatchNormPass, eliminateDeadPass] as const;

/** An equivalent standard-ONNX model in which a BatchNormalization no longer sits between a Conv and its Relu. */
export function prepareForQuantization(model: Model): Model {
  return optimizeModel(model, referenceOps, { passes: PREPARE_PASSES });
}
