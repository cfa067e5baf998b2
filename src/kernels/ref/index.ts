// The reference operator table: every op edgeinfer supports, by ONNX op type (default domain).

import type { OpTable } from '../op-def.js';
import { convOps } from './conv.js';
import { dataMovementOps } from './data-movement.js';
import { elementwiseOps } from './elementwise.js';
import { fusedOps } from './fused.js';
import { qfusedOps } from './qfused.js';
import { matmulOps } from './matmul.js';
import { normalizationOps } from './normalization.js';
import { poolOps } from './pool.js';
import { quantOps } from './quant.js';
import { reduceOps } from './reduce.js';
import { resizeOps } from './resize.js';
import { rnnOps } from './rnn.js';

export const referenceOps: OpTable = {
  ...elementwiseOps,
  ...dataMovementOps,
  ...resizeOps,
  ...convOps,
  ...poolOps,
  ...matmulOps,
  ...normalizationOps,
  ...reduceOps,
  ...rnnOps,
  ...quantOps,
  ...fusedOps,
  ...qfusedOps,
};
