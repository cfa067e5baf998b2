// Estimated energy per inference: each node's operation counts × Horowitz's energy per operation, plus the bytes it
// moves × the energy per byte of the memory level serving them, scaled to a named device profile.

import { EdgeError } from '../../errors.js';
import { attrTensor } from '../../ir/attrs.js';
import type { Model, Node, ValueType } from '../../ir/graph.js';
import { DTYPES } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { EnergyReport } from '../types.js';
import { DEVICE_PROFILES, type DeviceProfile } from './device-profiles.js';
import { ACCUMULATOR, HOROWITZ_45NM_OPS, type ArithClass } from './horowitz-45nm.js';
import { activationLevel, weightLevel } from './memory-levels.js';
import { nodeWork, type NodeWork } from './op-work.js';

export interface EstimateOptions {
  /** A name from DEVICE_PROFILES, or a profile of your own. */
  device: string | DeviceProfile;
  /** Samples the shapes in `types` hold (bind the batch dim to it first); energy is reported per sample. Default 1. */
  batch?: number;
  /** Count only the MACs of non-zero weights (pruned weights skipped). Default: the profile's, on for every built-in. */
  sparsityAware?: boolean;
}

export interface NodeEnergy {
  node: string;
  op: string;
  microjoules: number;
  macs: number;
  activationLevel: string;
}

/** Per-inference figures behind the estimate. */
export interface EstimateDetails {
  batch: number;
  sparsityAware: boolean;
  macs: number;
  denseMacs: number;
  arithmeticUj: number;
  instructionUj: number;
  memoryUj: number;
  bytesByLevel: Record<string, number>;
  weightBytes: number;
  weightLevel: string;
  peakActivationBytes: number;
  /** Ops costed by the fallback rule, activations or weights that do not fit the device. */
  warnings: string[];
  nodes: NodeEnergy[];
}

export interface EnergyEstimate extends EnergyReport {
  source: 'estimated';
  breakdown: { op: string; microjoules: number }[];
  details: EstimateDetails;
}

type Types = ReadonlyMap<string, ValueType>;

interface Step {
  node: Node;
  work: NodeWork;
  activationBytes: number;
  weightBytes: number;
  workingSetBytes: number;
}

export function resolveDevice(device: string | DeviceProfile): DeviceProfile {
  if (typeof device !== 'string') return device;
  const profile = Object.hasOwn(DEVICE_PROFILES, device) ? DEVICE_PROFILES[device] : undefined;
  if (!profile) {
    throw new EdgeError('INPUT_INVALID', `estimateEnergy: unknown device '${device}'; known: ${Object.keys(DEVICE_PROFILES).join(', ')}`, {
      expected: Object.keys(DEVICE_PROFILES),
      actual: device,
    });
  }
  return profile;
}

/** Initializers and Constant node values: the model's weights. */
function constantsOf(model: Model): Map<string, Tensor> {
  const constants = new Map(model.graph.initializers);
  for (const node of model.graph.nodes) {
    const value = node.op === 'Constant' ? attrTensor(node, 'value') : undefined;
    if (value && node.outputs[0]) constants.set(node.outputs[0], value);
  }
  return constants;
}

function staticElements(types: Types, name: string): number | undefined {
  const shape = types.get(name)?.shape;
  return shape && shape.every((d) => typeof d === 'number') ? shape.reduce<number>((a, d) => a * (d as number), 1) : undefined;
}

function checkShapes(model: Model, types: Types, constants: Map<string, Tensor>, batch: number): void {
  const unknown = new Set<string>();
  for (const node of model.graph.nodes) {
    for (const name of [...node.inputs, ...node.outputs]) {
      if (name && !constants.has(name) && staticElements(types, name) === undefined) unknown.add(name);
    }
  }
  if (unknown.size > 0) {
    const shown = [...unknown].slice(0, 5).map((n) => `'${n}' [${(types.get(n)?.shape ?? ['?']).map((d) => d ?? '?').join(',')}]`);
    throw new EdgeError('SHAPE_MISMATCH', `estimateEnergy needs static shapes; ${unknown.size} values are not: ${shown.join(', ')}${unknown.size > 5 ? ' …' : ''}. Bind symbolic dims first (freeDimensionOverrides)`, {
      details: [...unknown],
    });
  }
  const feeds = model.graph.inputs.filter((i) => !constants.has(i.name));
  if (batch > 1 && feeds.length > 0 && !feeds.some((i) => types.get(i.name)?.shape?.includes(batch))) {
    const dims = feeds.map((i) => `'${i.name}' [${types.get(i.name)?.shape?.join(',')}]`).join(', ');
    throw new EdgeError('SHAPE_MISMATCH', `estimateEnergy: batch ${batch}, but no input has a dimension of ${batch} (${dims}); infer the types with the batch dim bound to ${batch}`, {
      expected: batch,
    });
  }
}

function bytesOf(types: Types, constants: Map<string, Tensor>, name: string): number {
  const c = constants.get(name);
  if (c) return c.size * DTYPES[c.type].bytes;
  const t = types.get(name)!;
  return staticElements(types, name)! * DTYPES[t.dtype].bytes;
}

/** Energy per inference, estimated from the model's operation counts and memory traffic on a named device. */
export function estimateEnergy(model: Model, types: Types, options: EstimateOptions): EnergyEstimate {
  const profile = resolveDevice(options.device);
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new EdgeError('INPUT_INVALID', `estimateEnergy: batch must be a positive integer, got ${batch}`, { expected: '>= 1', actual: batch });
  }
  const sparsityAware = options.sparsityAware ?? profile.sparsityAware;
  const constants = constantsOf(model);
  checkShapes(model, types, constants, batch);

  const steps: Step[] = [];
  const weightsUsed = new Set<string>();
  for (const node of model.graph.nodes) {
    const work = nodeWork({ node, types, constant: (n) => constants.get(n), sparsityAware });
    const step: Step = { node, work, activationBytes: 0, weightBytes: 0, workingSetBytes: 0 };
    if (!work.alias) {
      for (const name of node.inputs.filter(Boolean)) {
        if (constants.has(name)) {
          step.weightBytes += bytesOf(types, constants, name);
          weightsUsed.add(name);
        } else step.activationBytes += bytesOf(types, constants, name);
      }
      for (const name of node.outputs.filter(Boolean)) step.activationBytes += bytesOf(types, constants, name);
      step.workingSetBytes = step.activationBytes;
    }
    steps.push(step);
  }

  const warnings: string[] = [];
  const weightBytes = [...weightsUsed].reduce((sum, n) => sum + bytesOf(types, constants, n), 0);
  const peakActivationBytes = Math.max(0, ...steps.map((s) => s.workingSetBytes));
  const wLevel = weightLevel(profile, weightBytes, peakActivationBytes);
  if (!wLevel.fits) warnings.push(`weights (${weightBytes} bytes) do not fit ${wLevel.level.name} of ${profile.name}`);
  const fallback = [...new Set(steps.filter((s) => s.work.fallback).map((s) => s.node.op))];
  if (fallback.length > 0) warnings.push(`no energy rule for ${fallback.join(', ')}: costed as one add per output element`);

  const pjToUj = 1e-6 / batch; // pJ per batch → µJ per inference
  const bytesByLevel: Record<string, number> = {};
  const addBytes = (level: string, bytes: number) => bytes > 0 && (bytesByLevel[level] = (bytesByLevel[level] ?? 0) + bytes / batch);
  let arithmeticPj = 0;
  let instructionPj = 0;
  let memoryPj = 0;
  let macs = 0;
  let denseMacs = 0;
  const nodes: NodeEnergy[] = [];
  for (const step of steps) {
    const aLevel = activationLevel(profile, step.workingSetBytes);
    if (!aLevel.fits) warnings.push(`${step.node.op} '${step.node.name}': working set of ${step.workingSetBytes} bytes exceeds ${aLevel.level.name} of ${profile.name}`);
    const arith = arithmeticOf(step.work, profile);
    const memory = (step.activationBytes * aLevel.level.pjPer64Bit + step.weightBytes * wLevel.level.pjPer64Bit) / 8;
    addBytes(aLevel.level.name, step.activationBytes);
    addBytes(wLevel.level.name, step.weightBytes);
    arithmeticPj += arith.arithmeticPj;
    instructionPj += arith.instructionPj;
    memoryPj += memory;
    const nodeMacs = [...step.work.macs.values()].reduce((a, b) => a + b, 0);
    macs += nodeMacs;
    denseMacs += step.work.denseMacs;
    nodes.push({
      node: step.node.name,
      op: step.node.op,
      microjoules: (arith.arithmeticPj + arith.instructionPj + memory) * pjToUj,
      macs: nodeMacs / batch,
      activationLevel: aLevel.level.name,
    });
  }

  const byOp = new Map<string, number>();
  for (const n of nodes) byOp.set(n.op, (byOp.get(n.op) ?? 0) + n.microjoules);
  const breakdown = [...byOp].map(([op, microjoules]) => ({ op, microjoules })).sort((a, b) => b.microjoules - a.microjoules);
  return {
    source: 'estimated',
    microjoulesPerInference: (arithmeticPj + instructionPj + memoryPj) * pjToUj,
    method: methodText(profile, wLevel.level.name, batch, sparsityAware),
    device: profile.name,
    breakdown,
    details: {
      batch,
      sparsityAware,
      macs: macs / batch,
      denseMacs: denseMacs / batch,
      arithmeticUj: arithmeticPj * pjToUj,
      instructionUj: instructionPj * pjToUj,
      memoryUj: memoryPj * pjToUj,
      bytesByLevel,
      weightBytes,
      weightLevel: wLevel.level.name,
      peakActivationBytes,
      warnings,
      nodes,
    },
  };
}

/** Arithmetic energy (a MAC = a multiply in its class + an add in its accumulator's) and instruction overhead, in pJ. */
function arithmeticOf(work: NodeWork, profile: DeviceProfile): { arithmeticPj: number; instructionPj: number } {
  let pj = 0;
  let instructions = 0;
  for (const [cls, n] of work.macs) {
    pj += n * (HOROWITZ_45NM_OPS[`${cls}.mult`].pj + HOROWITZ_45NM_OPS[`${ACCUMULATOR[cls]}.add`].pj);
    instructions += n / profile.lanes[cls];
  }
  for (const [op, n] of work.ops) {
    pj += n * HOROWITZ_45NM_OPS[op].pj;
    instructions += n / profile.lanes[op.split('.')[0] as ArithClass];
  }
  return { arithmeticPj: pj * profile.arithmeticScale, instructionPj: instructions * profile.instructionPj };
}

function methodText(profile: DeviceProfile, weightLevelName: string, batch: number, sparsityAware: boolean): string {
  return (
    `op counts × Horowitz 45 nm energy table (ISSCC 2014), scaled to ${profile.name} ` +
    `(${profile.processNm} nm, ${profile.coreVolts} V: ×${profile.arithmeticScale.toFixed(2)}, ${profile.instructionPj.toFixed(0)} pJ per instruction); ` +
    `bytes moved × energy per access: weights from ${weightLevelName} once per batch of ${batch}, activations from the level holding each node's working set; ` +
    `${sparsityAware ? 'MACs of non-zero weights only' : 'dense MACs'}; dynamic energy of core and memory only (no idle, leakage or board power)`
  );
}
