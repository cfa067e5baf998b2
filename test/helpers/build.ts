// Builds small IR models in tests, so tests need no files from outside the repository.

import type { Attribute, Dim, Model, Node } from '../../src/ir/graph.js';
import type { DataType } from '../../src/tensor/dtype.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export interface ModelSpec {
  inputs: [string, DataType, Dim[]][];
  outputs: [string, DataType, Dim[]?][];
  nodes: Node[];
  initializers?: Record<string, Tensor>;
  opset?: number;
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attribute> = {}, name = ''): Node {
  return { op, domain: '', name, inputs, outputs, attrs: new Map(Object.entries(attrs)) };
}

export function ints(value: number[]): Attribute {
  return { type: 'ints', value };
}

export function int(value: number): Attribute {
  return { type: 'int', value };
}

export function makeModel(spec: ModelSpec): Model {
  return {
    graph: {
      name: 'test',
      nodes: spec.nodes,
      inputs: spec.inputs.map(([name, dtype, shape]) => ({ name, type: { dtype, shape } })),
      outputs: spec.outputs.map(([name, dtype, shape]) => ({ name, type: shape ? { dtype, shape } : { dtype } })),
      initializers: new Map(Object.entries(spec.initializers ?? {})),
      valueInfo: new Map(),
    },
    opsets: new Map([['', spec.opset ?? 13]]),
    irVersion: 8,
    producerName: 'edgeinfer-test',
    producerVersion: '',
    metadata: new Map(),
  };
}
