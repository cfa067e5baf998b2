// Reference kernels: (to be written).

import type { OpTable } from '../op-def.js';

export const elementwiseOps: OpTable = {};
