// The graph IR, independent of any file format: values with types, nodes with attributes, a model with opsets.

import type { DataType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** A dimension: a size, a symbolic name (e.g. 'batch'), or unknown (undefined). */
export type Dim = number | string | undefined;

export interface ValueType {
  dtype: DataType;
  /** Absent when the rank is unknown. */
  shape?: Dim[];
}

export interface ValueInfo {
  name: string;
  type?: ValueType;
  doc?: string;
}

export type AttrType =
  | 'float'
  | 'int'
  | 'string'
  | 'tensor'
  | 'graph'
  | 'floats'
  | 'ints'
  | 'strings'
  | 'tensors'
  | 'graphs';

export type AttrValue = number | string | Tensor | Graph | number[] | string[] | Tensor[] | Graph[];

export interface Attribute {
  type: AttrType;
  value: AttrValue;
}

export interface Node {
  op: string;
  /** '' for the default ONNX domain. */
  domain: string;
  name: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Map<string, Attribute>;
  doc?: string;
}

export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Constant tensors by value name. */
  initializers: Map<string, Tensor>;
  /** Known types of intermediate values. */
  valueInfo: Map<string, ValueType>;
  doc?: string;
}

export interface Model {
  graph: Graph;
  /** Opset version per domain ('' is the default ONNX domain). */
  opsets: Map<string, number>;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  metadata: Map<string, string>;
}

export function emptyGraph(name = 'main'): Graph {
  return { name, nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map() };
}

/** How a node is named in messages: `Conv 'stem/conv'`. */
export function describeNode(node: Node): string {
  return node.name ? `${node.op} '${node.name}'` : `${node.op} (outputs ${node.outputs.join(', ')})`;
}

export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** Key of a node's op in an op table: the op type for the default ONNX domain, `domain.op` otherwise. */
export function opKey(node: Node): string {
  return isDefaultDomain(node.domain) ? node.op : `${node.domain}.${node.op}`;
}
