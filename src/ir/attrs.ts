// Typed attribute access with defaults and clear errors.

import { EdgeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { describeNode, type AttrType, type Node } from './graph.js';

function get(node: Node, name: string, types: AttrType[]): unknown {
  const a = node.attrs.get(name);
  if (!a) return undefined;
  if (!types.includes(a.type)) {
    throw new EdgeError('MODEL_INVALID', `${describeNode(node)}: attribute '${name}' is ${a.type}, expected ${types.join(' or ')}`, {
      op: node.op,
      node: node.name,
      expected: types,
      actual: a.type,
    });
  }
  return a.value;
}

export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  return (get(node, name, ['int']) as number | undefined) ?? fallback;
}

export function attrFloat(node: Node, name: string, fallback: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, fallback?: number): number | undefined {
  return (get(node, name, ['float']) as number | undefined) ?? fallback;
}

export function attrString(node: Node, name: string, fallback: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, fallback?: string): string | undefined {
  return (get(node, name, ['string']) as string | undefined) ?? fallback;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  return get(node, name, ['ints']) as number[] | undefined;
}

export function attrFloats(node: Node, name: string): number[] | undefined {
  return get(node, name, ['floats']) as number[] | undefined;
}

export function attrStrings(node: Node, name: string): string[] | undefined {
  return get(node, name, ['strings']) as string[] | undefined;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  return get(node, name, ['tensor']) as Tensor | undefined;
}
