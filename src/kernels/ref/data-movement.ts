// Reference kernels for data movement (reshape, transpose, slice, pad, gather, tile, ...): exact element
// copies that work for every dtype, with shape inference that keeps symbolic dims where it can.

import { attrFloat, attrFloats, attrInt, attrInts, attrString, attrTensor } from '../../ir/attrs.js';
import type { Dim, ValueType } from '../../ir/graph.js';
import type { DataType } from '../../tensor/dtype.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastDims } from '../infer-helpers.js';
import { nodeError, required, type InferContext, type KernelContext, type OpDef, type OpTable } from '../op-def.js';

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by resize.ts)

/** Any typed array seen as indexable elements: copying between two arrays of one dtype is exact. */
export type Elements = { [i: number]: number | bigint; readonly length: number };

export function elements(t: Tensor): Elements {
  return t.data as unknown as Elements;
}

/** One element of `dtype` holding the number v (a bigint for 64-bit integers, bits for halves). */
export function elementOf(dtype: DataType, v: number): number | bigint {
  return elements(Tensor.fromNumbers(dtype, [v], []))[0]!;
}

/**
 * The one copy loop of this file: builds a tensor of `outDims` whose element (i0, ..., ik) is
 * src[maps[0][i0] + ... + maps[k][ik]], or `fill` when any of those offsets is -1.
 * Transpose, Slice, Expand, Tile, Pad, Gather, DepthToSpace and nearest Resize are all such per-axis maps.
 */
export function gatherAxes(
  src: Tensor,
  outDims: readonly number[],
  maps: readonly ArrayLike<number>[],
  fill: number | bigint | undefined,
  where: string,
): Tensor {
  const out = Tensor.zeros(src.type, outDims, where);
  if (out.size === 0) return out;
  const s = elements(src);
  const o = elements(out);
  const rank = outDims.length;
  if (rank === 0) {
    o[0] = s[0]!;
    return out;
  }
  const fillValue = fill ?? s[0]!;
  const last = maps[rank - 1]!;
  const lastLen = outDims[rank - 1]!;
  // base[d]: offset contributed by axes before d at the current counter (-1: the element is padding).
  const counter = new Array<number>(rank).fill(0);
  const base = new Array<number>(rank).fill(0);
  const step = (b: number, m: number): number => (b < 0 || m < 0 ? -1 : b + m);
  for (let d = 1; d < rank; d++) base[d] = step(base[d - 1]!, maps[d - 1]![0]!);
  let pos = 0;
  for (;;) {
    const b = base[rank - 1]!;
    if (b < 0) {
      for (let j = 0; j < lastLen; j++) o[pos++] = fillValue;
    } else {
      for (let j = 0; j < lastLen; j++) {
        const m = last[j]!;
        o[pos++] = m < 0 ? fillValue : s[b + m]!;
      }
    }
    let d = rank - 2;
    while (d >= 0 && ++counter[d]! === outDims[d]) counter[d--] = 0;
    if (d < 0) break;
    for (let k = d; k < rank - 1; k++) base[k + 1] = step(base[k]!, maps[k]![counter[k]!]!);
  }
  return out;
}

/** A per-axis map: f(i) for i in [0, n). */
function axisMap(n: number, f: (i: number) => number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = f(i);
  return m;
}

/** Copies count elements of src (from `from`) into dst (at `at`); both arrays have the same class. */
function copyRange(dst: Tensor, at: number, src: Tensor, from: number, count: number): void {
  (dst.data as Float64Array).set((src.data as Float64Array).subarray(from, from + count), at);
}

/** A possibly negative axis made non-negative; `rank` is the size of the accepted range [-rank, rank-1]. */
export function axisIn(ctx: KernelContext, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw nodeError(ctx, 'MODEL_INVALID', `${what} ${axis} is out of range for rank ${rank}, expected [${-rank}, ${rank - 1}]`, {
      expected: [-rank, rank - 1],
      actual: axis,
    });
  }
  return a;
}

/** Normalized axes, refusing duplicates. */
export function axesIn(ctx: KernelContext, axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => axisIn(ctx, a, rank, `${what} value`));
  if (new Set(out).size !== out.length) {
    throw nodeError(ctx, 'MODEL_INVALID', `${what} [${axes.join(',')}] repeats an axis`, { actual: axes });
  }
  return out;
}

export function checkDtype(ctx: KernelContext, dtype: DataType, allowed: readonly DataType[], what: string): void {
  if (!allowed.includes(dtype)) {
    throw nodeError(ctx, 'DTYPE_MISMATCH', `${what} is ${dtype}, expected ${allowed.join(' or ')}`, { expected: allowed, actual: dtype });
  }
}

const INDEX_TYPES: DataType[] = ['int32', 'int64'];

/** Values of a small integer tensor (a shape, axes, pads...), checking its dtype and that it is 1-D or a scalar. */
export function intsOf(ctx: KernelContext, t: Tensor, what: string, allowed: readonly DataType[] = ['int64']): number[] {
  checkDtype(ctx, t.type, allowed, what);
  if (t.dims.length > 1) throw nodeError(ctx, 'SHAPE_MISMATCH', `${what} must be 1-D, got shape ${fmt(t.dims)}`, { actual: t.dims });
  return t.toNumbers();
}

/** Integer values of input i when known at load time (checking the dtype of what is known). */
function constInts(ctx: InferContext, inputs: (ValueType | undefined)[], i: number, what: string, allowed: readonly DataType[] = ['int64']): number[] | undefined {
  const type = inputs[i];
  if (type) checkDtype(ctx, type.dtype, allowed, what);
  const t = ctx.constant(i);
  return t ? intsOf(ctx, t, what, allowed) : undefined;
}

/** Length of a 1-D input when its shape is statically known. */
function staticLength(type: ValueType | undefined): number | undefined {
  const d = type?.shape?.[0];
  return type?.shape?.length === 1 && typeof d === 'number' ? d : undefined;
}

const fmt = (dims: readonly Dim[]): string => `[${dims.map((d) => d ?? '?').join(',')}]`;
const unknownDims = (rank: number): Dim[] => new Array<Dim>(rank).fill(undefined);

/** Product of dims: a number, the one symbolic dim when all others are 1, else unknown. */
function dimProduct(dims: readonly Dim[]): Dim {
  const rest = dims.filter((d) => d !== 1);
  if (rest.length === 1) return rest[0];
  let n = 1;
  for (const d of rest) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Reshape, Flatten, Squeeze, Unsqueeze: views with other dims

/** Reshape's output dims: 0 copies the input dim (unless allowzero), -1 takes what is left. */
function reshapeDims(ctx: KernelContext, inDims: readonly Dim[] | undefined, shape: readonly number[], allowZero: boolean): Dim[] {
  let inferAt = -1;
  const out: Dim[] = shape.map((s, i) => {
    if (s === -1) {
      if (inferAt >= 0) throw nodeError(ctx, 'SHAPE_MISMATCH', `shape ${fmt(shape)} has more than one -1`, { actual: shape });
      inferAt = i;
      return undefined;
    }
    if (!Number.isInteger(s) || s < -1) throw nodeError(ctx, 'SHAPE_MISMATCH', `shape ${fmt(shape)} has the invalid value ${s}`, { actual: shape });
    if (s !== 0 || allowZero) return s;
    if (!inDims) return undefined;
    if (i >= inDims.length) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `shape ${fmt(shape)} copies dim ${i} (value 0) but the input ${fmt(inDims)} has ${inDims.length} dims`, {
        actual: shape,
      });
    }
    return inDims[i];
  });
  if (allowZero && inferAt >= 0 && shape.includes(0)) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `shape ${fmt(shape)} has both 0 and -1 while allowzero=1`, { actual: shape });
  }
  if (!inDims) return out;
  // Compare element counts: symbolic dims copied from the input cancel out, numbers multiply.
  const symbols = new Map<string, number>();
  let inKnown = 1;
  let outKnown = 1;
  let unknown = false;
  for (const d of inDims) {
    if (typeof d === 'number') inKnown *= d;
    else if (typeof d === 'string') symbols.set(d, (symbols.get(d) ?? 0) + 1);
    else unknown = true;
  }
  out.forEach((d, i) => {
    if (i === inferAt) return;
    if (typeof d === 'number') outKnown *= d;
    else if (typeof d === 'string' && (symbols.get(d) ?? 0) > 0) symbols.set(d, symbols.get(d)! - 1);
    else unknown = true;
  });
  if (unknown || [...symbols.values()].some((n) => n > 0)) return out;
  const mismatch = (): Error =>
    nodeError(ctx, 'SHAPE_MISMATCH', `cannot reshape ${fmt(inDims)} (${inKnown} elements) to ${fmt(shape)}`, { expected: inDims, actual: shape });
  if (inferAt >= 0) {
    if (outKnown === 0 || inKnown % outKnown !== 0) throw mismatch();
    out[inferAt] = inKnown / outKnown;
  } else if (inKnown !== outKnown) throw mismatch();
  return out;
}

/** Reshape's target shape: input 1 (opset 5+) or the 'shape' attribute of Reshape-1. */
function reshapeTarget(ctx: KernelContext, shape: Tensor | undefined): number[] {
  if (shape) return intsOf(ctx, shape, 'shape');
  const attr = attrInts(ctx.node, 'shape');
  if (!attr) throw nodeError(ctx, 'MODEL_INVALID', 'required input 1 (shape) is missing');
  return attr;
}

const reshape: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
    let shape: number[] | undefined;
    if (inputs[1] || ctx.node.inputs[1]) shape = constInts(ctx, inputs, 1, 'shape');
    else shape = reshapeTarget(ctx, undefined);
    if (shape) return [{ dtype: x.dtype, shape: reshapeDims(ctx, x.shape, shape, allowZero) }];
    const n = staticLength(inputs[1]);
    return [{ dtype: x.dtype, shape: n === undefined ? undefined : unknownDims(n) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const shape = reshapeTarget(ctx, inputs[1]);
    return [x.reshape(reshapeDims(ctx, x.dims, shape, attrInt(ctx.node, 'allowzero', 0) === 1) as number[])];
  },
};

function flattenDims(ctx: KernelContext, dims: readonly Dim[]): Dim[] {
  // Flatten's axis may also equal the rank: accepted range [-r, r].
  const axis = attrInt(ctx.node, 'axis', 1);
  const a = axis < 0 ? axis + dims.length : axis;
  if (!Number.isInteger(a) || a < 0 || a > dims.length) {
    throw nodeError(ctx, 'MODEL_INVALID', `axis ${axis} is out of range for rank ${dims.length}, expected [${-dims.length}, ${dims.length}]`, {
      expected: [-dims.length, dims.length],
      actual: axis,
    });
  }
  const outer = a === 0 ? 1 : dimProduct(dims.slice(0, a));
  return [outer, dimProduct(dims.slice(a))];
}

const flatten: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: x.shape ? flattenDims(ctx, x.shape) : unknownDims(2) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    return [x.reshape(flattenDims(ctx, x.dims) as number[])];
  },
};

/** Squeeze/Unsqueeze axes: the 'axes' attribute before opset 13, input 1 from 13. */
function axesAttrOrInput(ctx: KernelContext, input: Tensor | undefined): number[] | undefined {
  if (ctx.opset < 13) return attrInts(ctx.node, 'axes');
  return input && input.size > 0 ? intsOf(ctx, input, 'axes') : input ? [] : undefined;
}

function inferAxes(ctx: InferContext, inputs: (ValueType | undefined)[]): { axes?: number[]; count?: number } {
  if (ctx.opset < 13) return { axes: attrInts(ctx.node, 'axes') };
  if (!ctx.node.inputs[1]) return {};
  const t = ctx.constant(1);
  if (inputs[1]) checkDtype(ctx, inputs[1].dtype, ['int64'], 'axes');
  return t ? { axes: intsOf(ctx, t, 'axes') } : { count: staticLength(inputs[1]) };
}

function squeezeDims(ctx: KernelContext, dims: readonly Dim[], axes: number[] | undefined): Dim[] | undefined {
  if (!axes || axes.length === 0) {
    // No axes: drop every dim of 1; the rank is unknown while some dim is not a number.
    if (dims.some((d) => typeof d !== 'number')) return undefined;
    return dims.filter((d) => d !== 1);
  }
  const drop = new Set(axesIn(ctx, axes, dims.length));
  for (const a of drop) {
    const d = dims[a];
    if (typeof d === 'number' && d !== 1) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `cannot squeeze axis ${a} of shape ${fmt(dims)}: its size is ${d}, not 1`, { actual: dims });
    }
  }
  return dims.filter((_, i) => !drop.has(i));
}

const squeeze: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const { axes, count } = inferAxes(ctx, inputs);
    if (!x.shape) return [{ dtype: x.dtype }];
    if (axes || count === undefined) return [{ dtype: x.dtype, shape: squeezeDims(ctx, x.shape, axes) }];
    return [{ dtype: x.dtype, shape: count <= x.shape.length ? unknownDims(x.shape.length - count) : undefined }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    return [x.reshape(squeezeDims(ctx, x.dims, axesAttrOrInput(ctx, inputs[1])) as number[])];
  },
};

function unsqueezeDims(ctx: KernelContext, dims: readonly Dim[], axes: number[]): Dim[] {
  const rank = dims.length + axes.length;
  const add = new Set(axesIn(ctx, axes, rank));
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(add.has(i) ? 1 : dims[j++]);
  return out;
}

function unsqueezeAxes(ctx: KernelContext, input: Tensor | undefined): number[] {
  const axes = axesAttrOrInput(ctx, input);
  if (!axes) throw nodeError(ctx, 'MODEL_INVALID', ctx.opset < 13 ? "attribute 'axes' is missing" : 'required input 1 (axes) is missing');
  return axes;
}

const unsqueeze: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const { axes, count } = inferAxes(ctx, inputs);
    if (ctx.opset < 13 ? !axes : !ctx.node.inputs[1]) unsqueezeAxes(ctx, undefined); // throws: no axes
    if (!x.shape) return [{ dtype: x.dtype }];
    if (axes) return [{ dtype: x.dtype, shape: unsqueezeDims(ctx, x.shape, axes) }];
    return [{ dtype: x.dtype, shape: count === undefined ? undefined : unknownDims(x.shape.length + count) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    return [x.reshape(unsqueezeDims(ctx, x.dims, unsqueezeAxes(ctx, inputs[1])) as number[])];
  },
};

// ---------------------------------------------------------------------------------------------
// Transpose, DepthToSpace, SpaceToDepth: permutations of elements

function transposePerm(ctx: KernelContext, rank: number): number[] {
  const perm = attrInts(ctx.node, 'perm');
  if (!perm) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw nodeError(ctx, 'MODEL_INVALID', `perm [${perm.join(',')}] is not a permutation of the ${rank} input axes`, { expected: rank, actual: perm });
  }
  return perm;
}

const transpose: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    if (!x.shape) return [{ dtype: x.dtype }];
    const dims = x.shape;
    return [{ dtype: x.dtype, shape: transposePerm(ctx, dims.length).map((p) => dims[p]) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const perm = transposePerm(ctx, x.dims.length);
    const strides = stridesOf(x.dims);
    const outDims = perm.map((p) => x.dims[p]!);
    const maps = perm.map((p, d) => axisMap(outDims[d]!, (i) => i * strides[p]!));
    return [gatherAxes(x, outDims, maps, undefined, 'Transpose')];
  },
};

function blocksize(ctx: KernelContext): number {
  const b = attrInt(ctx.node, 'blocksize');
  if (b === undefined || !Number.isInteger(b) || b < 1) throw nodeError(ctx, 'MODEL_INVALID', `attribute 'blocksize' must be a positive integer, got ${b}`);
  return b;
}

function expect4d(ctx: KernelContext, dims: readonly Dim[] | undefined): void {
  if (dims && dims.length !== 4) throw nodeError(ctx, 'SHAPE_MISMATCH', `input has shape ${fmt(dims)}, expected 4 dims [N,C,H,W]`, { expected: 4, actual: dims.length });
}

/** Divides a dim by `by`, refusing a remainder; symbolic dims give unknown. */
function divDim(ctx: KernelContext, d: Dim, by: number, what: string): Dim {
  if (typeof d !== 'number') return undefined;
  if (d % by !== 0) throw nodeError(ctx, 'SHAPE_MISMATCH', `${what} ${d} is not divisible by ${by}`, { actual: d });
  return d / by;
}

const mulDim = (d: Dim, by: number): Dim => (typeof d === 'number' ? d * by : by === 1 ? d : undefined);

function depthToSpaceDims(ctx: KernelContext, dims: readonly Dim[]): Dim[] {
  const b = blocksize(ctx);
  return [dims[0], divDim(ctx, dims[1], b * b, 'channels'), mulDim(dims[2], b), mulDim(dims[3], b)];
}

function spaceToDepthDims(ctx: KernelContext, dims: readonly Dim[]): Dim[] {
  const b = blocksize(ctx);
  return [dims[0], mulDim(dims[1], b * b), divDim(ctx, dims[2], b, 'height'), divDim(ctx, dims[3], b, 'width')];
}

/** DepthToSpace's channel order: DCR (depth, column, row; the default) or CRD. */
function isDcr(ctx: KernelContext): boolean {
  const mode = attrString(ctx.node, 'mode', 'DCR');
  if (mode !== 'DCR' && mode !== 'CRD') throw nodeError(ctx, 'MODEL_INVALID', `mode '${mode}' is not DCR or CRD`, { actual: mode });
  return mode === 'DCR';
}

const depthToSpace: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    expect4d(ctx, x.shape);
    isDcr(ctx);
    return [{ dtype: x.dtype, shape: x.shape ? depthToSpaceDims(ctx, x.shape) : unknownDims(4) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    expect4d(ctx, x.dims);
    const b = blocksize(ctx);
    const outDims = depthToSpaceDims(ctx, x.dims) as number[];
    const c = outDims[1]!;
    const [sN, sC, sH, sW] = stridesOf(x.dims) as [number, number, number, number];
    // Input channel of output (c, h, w): DCR = (h%b*b + w%b)*C' + c, CRD = c*b*b + h%b*b + w%b.
    const dcr = isDcr(ctx);
    const cStep = dcr ? sC : b * b * sC;
    const hStep = dcr ? b * c * sC : b * sC;
    const wStep = dcr ? c * sC : sC;
    const maps = [
      axisMap(outDims[0]!, (n) => n * sN),
      axisMap(c, (k) => k * cStep),
      axisMap(outDims[2]!, (h) => Math.floor(h / b) * sH + (h % b) * hStep),
      axisMap(outDims[3]!, (w) => Math.floor(w / b) * sW + (w % b) * wStep),
    ];
    return [gatherAxes(x, outDims, maps, undefined, 'DepthToSpace')];
  },
};

const spaceToDepth: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    expect4d(ctx, x.shape);
    return [{ dtype: x.dtype, shape: x.shape ? spaceToDepthDims(ctx, x.shape) : unknownDims(4) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    expect4d(ctx, x.dims);
    const b = blocksize(ctx);
    const outDims = spaceToDepthDims(ctx, x.dims) as number[];
    const c = x.dims[1]!;
    const [sN, sC, sH, sW] = stridesOf(x.dims) as [number, number, number, number];
    // Output channel k = (hb*b + wb)*C + c reads input (c, h*b + hb, w*b + wb).
    const maps = [
      axisMap(outDims[0]!, (n) => n * sN),
      axisMap(outDims[1]!, (k) => (k % c) * sC + Math.floor(Math.floor(k / c) / b) * sH + (Math.floor(k / c) % b) * sW),
      axisMap(outDims[2]!, (h) => h * b * sH),
      axisMap(outDims[3]!, (w) => w * b * sW),
    ];
    return [gatherAxes(x, outDims, maps, undefined, 'SpaceToDepth')];
  },
};

// ---------------------------------------------------------------------------------------------
// Concat, Split: contiguous blocks

/** The dim of one axis merged over inputs that must agree: a number wins over a symbol. */
function mergeDim(ctx: KernelContext, a: Dim, b: Dim, what: string): Dim {
  if (typeof a === 'number' && typeof b === 'number' && a !== b) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `${what}: sizes ${a} and ${b} differ`, { expected: a, actual: b });
  }
  return typeof a === 'number' ? a : typeof b === 'number' ? b : (a ?? b);
}

function concatDims(ctx: KernelContext, shapes: (readonly Dim[] | undefined)[]): Dim[] | undefined {
  const known = shapes.filter((s): s is readonly Dim[] => s !== undefined);
  if (known.length === 0) return undefined;
  const rank = known[0]!.length;
  if (rank === 0) throw nodeError(ctx, 'SHAPE_MISMATCH', 'cannot concatenate scalars (rank 0)');
  const axis = axisIn(ctx, attrInt(ctx.node, 'axis') ?? missingAttr(ctx, 'axis'), rank);
  const out: Dim[] = [...known[0]!];
  known.forEach((s, k) => {
    if (s.length !== rank) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `input ${k} has ${s.length} dims, expected ${rank} like the first`, { expected: rank, actual: s.length });
    }
    if (k === 0) return;
    s.forEach((d, i) => {
      if (i === axis) {
        const o = out[i];
        out[i] = typeof o === 'number' && typeof d === 'number' ? o + d : undefined;
      } else out[i] = mergeDim(ctx, out[i], d, `inputs disagree on dim ${i} (${s.map((x) => x ?? '?').join(',')})`);
    });
  });
  if (known.length < shapes.length) out[axis] = undefined;
  return out;
}

function missingAttr(ctx: KernelContext, name: string): never {
  throw nodeError(ctx, 'MODEL_INVALID', `attribute '${name}' is missing`);
}

const concat: OpDef = {
  infer(ctx, inputs) {
    const types = inputs.map((t, i) => required(ctx, inputs, i, `inputs[${i}]`));
    if (types.length === 0) throw nodeError(ctx, 'MODEL_INVALID', 'has no inputs');
    types.forEach((t, i) => checkDtype(ctx, t.dtype, [types[0]!.dtype], `input ${i}`));
    return [{ dtype: types[0]!.dtype, shape: concatDims(ctx, types.map((t) => t.shape)) }];
  },
  run(ctx, inputs) {
    const xs = inputs.map((t, i) => required(ctx, inputs, i, `inputs[${i}]`));
    if (xs.length === 0) throw nodeError(ctx, 'MODEL_INVALID', 'has no inputs');
    xs.forEach((t, i) => checkDtype(ctx, t.type, [xs[0]!.type], `input ${i}`));
    const outDims = concatDims(ctx, xs.map((t) => t.dims)) as number[];
    const axis = axisIn(ctx, attrInt(ctx.node, 'axis')!, outDims.length);
    const out = Tensor.zeros(xs[0]!.type, outDims, 'Concat');
    const outer = sizeOf(outDims.slice(0, axis));
    const inner = sizeOf(outDims.slice(axis + 1));
    let pos = 0;
    for (let o = 0; o < outer; o++) {
      for (const x of xs) {
        const chunk = x.dims[axis]! * inner;
        copyRange(out, pos, x, o * chunk, chunk);
        pos += chunk;
      }
    }
    return [out];
  },
};

/** Sizes of Split's outputs along the axis: given sizes, or equal parts with a smaller last one. */
function splitSizes(ctx: KernelContext, dim: number | undefined, given: number[] | undefined, outputs: number): (number | undefined)[] {
  if (given) {
    if (given.length !== outputs) {
      throw nodeError(ctx, 'MODEL_INVALID', `split has ${given.length} sizes for ${outputs} outputs`, { expected: outputs, actual: given.length });
    }
    const total = given.reduce((a, b) => a + b, 0);
    if (given.some((s) => !Number.isInteger(s) || s < 0) || (dim !== undefined && total !== dim)) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `split sizes [${given.join(',')}] do not add up to the axis size ${dim}`, { expected: dim, actual: given });
    }
    return given;
  }
  const numOutputs = attrInt(ctx.node, 'num_outputs');
  if (numOutputs !== undefined && numOutputs !== outputs) {
    throw nodeError(ctx, 'MODEL_INVALID', `num_outputs is ${numOutputs} but the node has ${outputs} outputs`, { expected: numOutputs, actual: outputs });
  }
  if (dim === undefined) return new Array<undefined>(outputs).fill(undefined);
  const part = Math.ceil(dim / outputs);
  const lastPart = dim - part * (outputs - 1);
  if (lastPart < 0) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `cannot split axis size ${dim} into ${outputs} parts`, { actual: dim });
  }
  return Array.from({ length: outputs }, (_, i) => (i === outputs - 1 ? lastPart : part));
}

/** Split sizes: the 'split' attribute before opset 13, input 1 from 13 (an empty tensor counts as none). */
function splitGiven(ctx: KernelContext, input: Tensor | undefined): number[] | undefined {
  if (ctx.opset < 13) return attrInts(ctx.node, 'split');
  return input && input.size > 0 ? intsOf(ctx, input, 'split') : undefined;
}

const split: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    const outputs = ctx.node.outputs.length;
    let given: number[] | undefined;
    let known = true;
    if (ctx.opset < 13) given = attrInts(ctx.node, 'split');
    else if (ctx.node.inputs[1]) {
      const t = ctx.constant(1);
      if (inputs[1]) checkDtype(ctx, inputs[1].dtype, ['int64'], 'split');
      if (t) given = t.size > 0 ? intsOf(ctx, t, 'split') : undefined;
      else known = false;
    }
    if (!x.shape) return new Array(outputs).fill(0).map(() => ({ dtype: x.dtype }));
    const dims = x.shape;
    const axis = axisIn(ctx, attrInt(ctx.node, 'axis', 0), dims.length);
    const dim = typeof dims[axis] === 'number' ? (dims[axis] as number) : undefined;
    const sizes = known ? splitSizes(ctx, dim, given, outputs) : new Array<undefined>(outputs).fill(undefined);
    return sizes.map((s) => ({ dtype: x.dtype, shape: dims.map((d, i) => (i === axis ? s : d)) }));
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    const axis = axisIn(ctx, attrInt(ctx.node, 'axis', 0), x.dims.length);
    const sizes = splitSizes(ctx, x.dims[axis]!, splitGiven(ctx, inputs[1]), ctx.node.outputs.length) as number[];
    const outer = sizeOf(x.dims.slice(0, axis));
    const inner = sizeOf(x.dims.slice(axis + 1));
    const rowLen = x.dims[axis]! * inner;
    let offset = 0;
    return sizes.map((s) => {
      const out = Tensor.zeros(x.type, x.dims.map((d, i) => (i === axis ? s : d)), 'Split');
      for (let o = 0; o < outer; o++) copyRange(out, o * s * inner, x, o * rowLen + offset, s * inner);
      offset += s * inner;
      return out;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// Slice

interface AxisSlice {
  start: number;
  step: number;
  len: Dim;
}

const INT_MAX = 2 ** 31 - 1;

/** Effective start/step/length per axis, clamped as the spec says (starts and ends may be huge or negative). */
function slicePlan(ctx: KernelContext, dims: readonly Dim[], starts: number[], ends: number[], axesIn_?: number[], stepsIn?: number[]): AxisSlice[] {
  const n = starts.length;
  const axes = axesIn_ ?? starts.map((_, i) => i);
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== n || axes.length !== n || steps.length !== n) {
    throw nodeError(ctx, 'MODEL_INVALID', `starts, ends, axes and steps have different lengths (${n}, ${ends.length}, ${axes.length}, ${steps.length})`, {
      actual: [n, ends.length, axes.length, steps.length],
    });
  }
  const plan: AxisSlice[] = dims.map((d) => ({ start: 0, step: 1, len: d }));
  axesIn(ctx, axes, dims.length).forEach((a, i) => {
    const step = steps[i]!;
    if (step === 0) throw nodeError(ctx, 'MODEL_INVALID', `step of axis ${a} is 0`);
    const d = dims[a];
    if (typeof d !== 'number') {
      // Unknown size: only a whole-axis forward slice keeps the dim.
      const whole = step === 1 && (starts[i]! === 0 || starts[i]! <= -INT_MAX) && ends[i]! >= INT_MAX;
      plan[a] = { start: 0, step, len: whole ? d : undefined };
      return;
    }
    let s = starts[i]! < 0 ? starts[i]! + d : starts[i]!;
    let e = ends[i]! < 0 ? ends[i]! + d : ends[i]!;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    plan[a] = { start: s, step, len: d === 0 ? 0 : Math.max(0, Math.ceil((e - s) / step)) };
  });
  return plan;
}

/** Slice parameters: attributes before opset 10, inputs 1-4 from 10. */
function sliceArgs(ctx: KernelContext, get: (i: number, what: string) => number[] | undefined | null): [number[], number[], number[]?, number[]?] | undefined {
  if (ctx.opset < 10) {
    const starts = attrInts(ctx.node, 'starts');
    const ends = attrInts(ctx.node, 'ends');
    if (!starts || !ends) throw nodeError(ctx, 'MODEL_INVALID', "attributes 'starts' and 'ends' are required");
    return [starts, ends, attrInts(ctx.node, 'axes')];
  }
  const vals = [get(1, 'starts'), get(2, 'ends'), get(3, 'axes'), get(4, 'steps')];
  if (vals.some((v) => v === null)) return undefined; // not known at load time
  if (!vals[0] || !vals[1]) throw nodeError(ctx, 'MODEL_INVALID', 'required inputs starts and ends are missing');
  return [vals[0], vals[1], vals[2] ?? undefined, vals[3] ?? undefined];
}

const slice: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const args = sliceArgs(ctx, (i, what) => {
      if (!ctx.node.inputs[i]) return undefined;
      return constInts(ctx, inputs, i, what, INDEX_TYPES) ?? null;
    });
    if (!x.shape) return [{ dtype: x.dtype }];
    if (!args) {
      // Unknown parameters: every dim may change, except those outside the (constant) axes.
      const axes = ctx.node.inputs[3] ? constInts(ctx, inputs, 3, 'axes', INDEX_TYPES) : undefined;
      if (!axes) return [{ dtype: x.dtype, shape: unknownDims(x.shape.length) }];
      const sliced = new Set(axesIn(ctx, axes, x.shape.length));
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (sliced.has(i) ? undefined : d)) }];
    }
    return [{ dtype: x.dtype, shape: slicePlan(ctx, x.shape, ...args).map((p) => p.len) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const args = sliceArgs(ctx, (i, what) => (inputs[i] ? intsOf(ctx, inputs[i]!, what, INDEX_TYPES) : undefined))!;
    const plan = slicePlan(ctx, x.dims, ...args);
    const strides = stridesOf(x.dims);
    const outDims = plan.map((p) => p.len as number);
    const maps = plan.map((p, d) => axisMap(outDims[d]!, (i) => (p.start + i * p.step) * strides[d]!));
    return [gatherAxes(x, outDims, maps, undefined, 'Slice')];
  },
};

// ---------------------------------------------------------------------------------------------
// Pad

type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** Where output index j (relative to the kept part of length m) reads, per mode; -1 = the constant. */
const PAD_SOURCE: Record<PadMode, (j: number, m: number) => number> = {
  constant: () => -1,
  edge: (j, m) => Math.min(Math.max(j, 0), m - 1),
  reflect: (j, m) => {
    if (m === 1) return 0;
    const period = 2 * (m - 1);
    const r = ((j % period) + period) % period;
    return r < m ? r : period - r;
  },
  wrap: (j, m) => ((j % m) + m) % m,
};

interface PadPlan {
  mode: PadMode;
  /** Pads [begin..., end...] over all axes. */
  pads: number[];
}

function padMode(ctx: KernelContext): PadMode {
  const mode = attrString(ctx.node, 'mode', 'constant');
  if (!Object.prototype.hasOwnProperty.call(PAD_SOURCE, mode)) {
    throw nodeError(ctx, 'MODEL_INVALID', `mode '${mode}' is not one of ${Object.keys(PAD_SOURCE).join(', ')}`, { actual: mode });
  }
  return mode as PadMode;
}

/** Pads over all axes from pads given for `axes` (Pad-18) or for every axis. */
function fullPads(ctx: KernelContext, rank: number, pads: number[], axes: number[] | undefined): number[] {
  const list = axes ? axesIn(ctx, axes, rank) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * list.length || pads.some((p) => !Number.isInteger(p))) {
    throw nodeError(ctx, 'MODEL_INVALID', `pads has ${pads.length} values, expected ${2 * list.length} (begin and end for ${list.length} axes)`, {
      expected: 2 * list.length,
      actual: pads.length,
    });
  }
  const out = new Array<number>(2 * rank).fill(0);
  list.forEach((a, i) => {
    out[a] = pads[i]!;
    out[rank + a] = pads[list.length + i]!;
  });
  return out;
}

function padDims(ctx: KernelContext, dims: readonly Dim[], pads: number[]): Dim[] {
  const r = dims.length;
  return dims.map((d, i) => {
    if (typeof d !== 'number') return pads[i] === 0 && pads[r + i] === 0 ? d : undefined;
    const n = d + pads[i]! + pads[r + i]!;
    if (n < 0) throw nodeError(ctx, 'SHAPE_MISMATCH', `pads [${pads.join(',')}] crop more than the ${d} elements of axis ${i}`, { actual: pads });
    return n;
  });
}

const pad: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    padMode(ctx);
    if (ctx.opset >= 11 && inputs[2]) checkDtype(ctx, inputs[2].dtype, [x.dtype], 'constant_value');
    if (!x.shape) return [{ dtype: x.dtype }];
    let pads: number[] | undefined;
    let axes: number[] | undefined;
    if (ctx.opset < 11) pads = attrInts(ctx.node, 'pads') ?? attrInts(ctx.node, 'paddings');
    else {
      pads = constInts(ctx, inputs, 1, 'pads');
      if (ctx.node.inputs[3]) {
        axes = constInts(ctx, inputs, 3, 'axes', INDEX_TYPES);
        if (!axes) return [{ dtype: x.dtype, shape: unknownDims(x.shape.length) }];
      }
    }
    if (!pads) return [{ dtype: x.dtype, shape: unknownDims(x.shape.length) }];
    return [{ dtype: x.dtype, shape: padDims(ctx, x.shape, fullPads(ctx, x.shape.length, pads, axes)) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const rank = x.dims.length;
    const plan: PadPlan = { mode: padMode(ctx), pads: [] };
    let fill: number | bigint;
    if (ctx.opset < 11) {
      const pads = attrInts(ctx.node, 'pads') ?? attrInts(ctx.node, 'paddings');
      if (!pads) throw nodeError(ctx, 'MODEL_INVALID', "attribute 'pads' is missing");
      plan.pads = fullPads(ctx, rank, pads, undefined);
      fill = elementOf(x.type, attrFloat(ctx.node, 'value', 0));
    } else {
      const pads = intsOf(ctx, required(ctx, inputs, 1, 'pads'), 'pads');
      const axes = inputs[3] ? intsOf(ctx, inputs[3], 'axes', INDEX_TYPES) : undefined;
      plan.pads = fullPads(ctx, rank, pads, axes);
      const value = inputs[2];
      if (value) checkDtype(ctx, value.type, [x.type], 'constant_value');
      fill = value && value.size > 0 ? elements(value)[0]! : elementOf(x.type, 0);
    }
    const outDims = padDims(ctx, x.dims, plan.pads) as number[];
    const strides = stridesOf(x.dims);
    const source = PAD_SOURCE[plan.mode];
    const maps = x.dims.map((d, a) => {
      const begin = plan.pads[a]!;
      const end = plan.pads[rank + a]!;
      // Negative pads crop first; the kept part [keepFrom, keepFrom + m) is then padded.
      const keepFrom = Math.max(0, -begin);
      const m = d - keepFrom - Math.max(0, -end);
      const lead = Math.max(0, begin);
      if (m === 0 && plan.mode !== 'constant' && outDims[a]! > 0) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `cannot pad an empty axis ${a} in ${plan.mode} mode`, { actual: x.dims });
      }
      return axisMap(outDims[a]!, (i) => {
        const j = i - lead;
        const k = j >= 0 && j < m ? j : source(j, m);
        return k < 0 ? -1 : (keepFrom + k) * strides[a]!;
      });
    });
    return [gatherAxes(x, outDims, maps, fill, 'Pad')];
  },
};

// ---------------------------------------------------------------------------------------------
// Gather, GatherElements

function gatherDims(ctx: KernelContext, data: readonly Dim[], indices: readonly Dim[]): Dim[] {
  const axis = axisIn(ctx, attrInt(ctx.node, 'axis', 0), data.length);
  return [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
}

/** Index values checked against [-n, n-1] and made non-negative. */
function indexValues(ctx: KernelContext, t: Tensor, n: number): Int32Array {
  const out = new Int32Array(t.size);
  const d = t.data;
  for (let i = 0; i < t.size; i++) {
    const v = Number(d[i]!);
    if (v < -n || v >= n) {
      throw nodeError(ctx, 'INPUT_INVALID', `index ${v} is out of range for an axis of size ${n}, expected [${-n}, ${n - 1}]`, {
        expected: [-n, n - 1],
        actual: v,
      });
    }
    out[i] = v < 0 ? v + n : v;
  }
  return out;
}

const gather: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const idx = required(ctx, inputs, 1, 'indices');
    checkDtype(ctx, idx.dtype, INDEX_TYPES, 'indices');
    if (x.shape?.length === 0) throw nodeError(ctx, 'SHAPE_MISMATCH', 'data must have at least 1 dim, got a scalar');
    return [{ dtype: x.dtype, shape: x.shape && idx.shape ? gatherDims(ctx, x.shape, idx.shape) : undefined }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const idx = required(ctx, inputs, 1, 'indices');
    checkDtype(ctx, idx.type, INDEX_TYPES, 'indices');
    if (x.dims.length === 0) throw nodeError(ctx, 'SHAPE_MISMATCH', 'data must have at least 1 dim, got a scalar');
    const axis = axisIn(ctx, attrInt(ctx.node, 'axis', 0), x.dims.length);
    const n = x.dims[axis]!;
    const values = indexValues(ctx, idx, n);
    // Seen as [outer, n, inner] -> [outer, indices, inner].
    const outer = sizeOf(x.dims.slice(0, axis));
    const inner = sizeOf(x.dims.slice(axis + 1));
    const maps = [axisMap(outer, (o) => o * n * inner), axisMap(values.length, (i) => values[i]! * inner), axisMap(inner, (i) => i)];
    const out = gatherAxes(x, [outer, values.length, inner], maps, undefined, 'Gather');
    return [out.reshape(gatherDims(ctx, x.dims, idx.dims) as number[])];
  },
};

const gatherElements: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const idx = required(ctx, inputs, 1, 'indices');
    checkDtype(ctx, idx.dtype, INDEX_TYPES, 'indices');
    if (x.shape && idx.shape && x.shape.length !== idx.shape.length) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `indices has ${idx.shape.length} dims, expected ${x.shape.length} like data`, { expected: x.shape.length, actual: idx.shape.length });
    }
    if (x.shape) axisIn(ctx, attrInt(ctx.node, 'axis', 0), x.shape.length);
    return [{ dtype: x.dtype, shape: idx.shape ? [...idx.shape] : undefined }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const idx = required(ctx, inputs, 1, 'indices');
    checkDtype(ctx, idx.type, INDEX_TYPES, 'indices');
    const rank = x.dims.length;
    if (rank === 0 || idx.dims.length !== rank) {
      throw nodeError(ctx, 'SHAPE_MISMATCH', `data ${fmt(x.dims)} and indices ${fmt(idx.dims)} must have the same rank >= 1`, { expected: x.dims, actual: idx.dims });
    }
    const axis = axisIn(ctx, attrInt(ctx.node, 'axis', 0), rank);
    idx.dims.forEach((d, i) => {
      if (i !== axis && d > x.dims[i]!) {
        throw nodeError(ctx, 'SHAPE_MISMATCH', `indices ${fmt(idx.dims)} is larger than data ${fmt(x.dims)} on axis ${i}`, { expected: x.dims, actual: idx.dims });
      }
    });
    const n = x.dims[axis]!;
    const values = indexValues(ctx, idx, n);
    const strides = stridesOf(x.dims);
    const axisStride = strides[axis]!;
    const out = Tensor.zeros(x.type, idx.dims, 'GatherElements');
    const s = elements(x);
    const o = elements(out);
    // Odometer over the indices' positions; `base` is the data offset of that position without the axis term.
    const counter = new Array<number>(rank).fill(0);
    let base = 0;
    for (let p = 0; p < out.size; p++) {
      o[p] = s[base + values[p]! * axisStride]!;
      for (let d = rank - 1; d >= 0; d--) {
        const step = d === axis ? 0 : strides[d]!;
        if (++counter[d]! < idx.dims[d]!) {
          base += step;
          break;
        }
        base -= step * (counter[d]! - 1);
        counter[d] = 0;
      }
    }
    return [out];
  },
};

// ---------------------------------------------------------------------------------------------
// Expand, Tile

const expand: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    const shape = constInts(ctx, inputs, 1, 'shape');
    if (shape) checkTargetShape(ctx, shape);
    if (!x.shape) return [{ dtype: x.dtype }];
    if (shape) return [{ dtype: x.dtype, shape: broadcastDims(ctx, [x.shape, shape]) }];
    const n = staticLength(inputs[1]);
    return [{ dtype: x.dtype, shape: n === undefined ? undefined : unknownDims(Math.max(n, x.shape.length)) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    const shape = intsOf(ctx, required(ctx, inputs, 1, 'shape'), 'shape');
    checkTargetShape(ctx, shape);
    const outDims = broadcastDims(ctx, [[...x.dims], shape]) as number[];
    const offset = outDims.length - x.dims.length;
    const strides = stridesOf(x.dims);
    const maps = outDims.map((d, a) => {
      const i = a - offset;
      return axisMap(d, (k) => (i < 0 || x.dims[i] === 1 ? 0 : k * strides[i]!));
    });
    return [gatherAxes(x, outDims, maps, undefined, 'Expand')];
  },
};

function checkTargetShape(ctx: KernelContext, shape: number[]): void {
  if (shape.some((d) => d < 0)) throw nodeError(ctx, 'SHAPE_MISMATCH', `shape [${shape.join(',')}] has a negative dim`, { actual: shape });
}

function tileRepeats(ctx: KernelContext, repeats: number[], rank: number): number[] {
  if (repeats.length !== rank || repeats.some((r) => r < 0)) {
    throw nodeError(ctx, 'SHAPE_MISMATCH', `repeats [${repeats.join(',')}] must hold ${rank} non-negative values (one per input dim)`, {
      expected: rank,
      actual: repeats,
    });
  }
  return repeats;
}

const tile: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    const repeats = constInts(ctx, inputs, 1, 'repeats');
    if (!x.shape) return [{ dtype: x.dtype }];
    if (!repeats) return [{ dtype: x.dtype, shape: unknownDims(x.shape.length) }];
    tileRepeats(ctx, repeats, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => mulDim(d, repeats[i]!)) }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'input');
    const repeats = tileRepeats(ctx, intsOf(ctx, required(ctx, inputs, 1, 'repeats'), 'repeats'), x.dims.length);
    const outDims = x.dims.map((d, i) => d * repeats[i]!);
    const strides = stridesOf(x.dims);
    const maps = outDims.map((d, a) => axisMap(d, (k) => (k % x.dims[a]!) * strides[a]!));
    return [gatherAxes(x, outDims, maps, undefined, 'Tile')];
  },
};

// ---------------------------------------------------------------------------------------------
// Shape, Size, NonZero: facts about a tensor

/** Shape-15's [start, end) over the dims, both clamped to [0, rank]. */
function shapeRange(ctx: KernelContext, rank: number): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(attrInt(ctx.node, 'start', 0));
  const end = clamp(attrInt(ctx.node, 'end', rank));
  return [start, Math.max(start, end)];
}

const shape: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    if (!x.shape) return [{ dtype: 'int64', shape: [undefined] }];
    const [start, end] = shapeRange(ctx, x.shape.length);
    return [{ dtype: 'int64', shape: [end - start] }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    const [start, end] = shapeRange(ctx, x.dims.length);
    return [new Tensor('int64', x.dims.slice(start, end).map((d) => BigInt(d)), [end - start])];
  },
};

const size: OpDef = {
  infer(ctx, inputs) {
    required(ctx, inputs, 0, 'data');
    return [{ dtype: 'int64', shape: [] }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'data');
    return [new Tensor('int64', [BigInt(x.size)], [])];
  },
};

/** True where element i is not zero (halves: any bit but the sign; NaN counts as non-zero). */
function nonZeroTest(t: Tensor): (i: number) => boolean {
  const d = t.data;
  if (t.type === 'float16' || t.type === 'bfloat16') return (i) => ((d[i] as number) & 0x7fff) !== 0;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return (i) => d[i] !== 0n;
  return (i) => d[i] !== 0;
}

const nonZero: OpDef = {
  infer(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    return [{ dtype: 'int64', shape: [x.shape ? Math.max(1, x.shape.length) : undefined, undefined] }];
  },
  run(ctx, inputs) {
    const x = required(ctx, inputs, 0, 'X');
    const dims = x.dims.length === 0 ? [1] : x.dims; // a scalar counts as a 1-D tensor of one element
    const rank = dims.length;
    const isSet = nonZeroTest(x);
    let count = 0;
    for (let i = 0; i < x.size; i++) if (isSet(i)) count++;
    const out = Tensor.zeros('int64', [rank, count], 'NonZero');
    const o = out.data as BigInt64Array;
    const counter = new Array<number>(rank).fill(0);
    let k = 0;
    for (let i = 0; i < x.size; i++) {
      if (isSet(i)) {
        for (let d = 0; d < rank; d++) o[d * count + k] = BigInt(counter[d]!);
        k++;
      }
      for (let d = rank - 1; d >= 0 && ++counter[d]! === dims[d]; d--) counter[d] = 0;
    }
    return [out];
  },
};

// ---------------------------------------------------------------------------------------------
// Constant, ConstantOfShape, Range: new tensors

/** Constant's value from whichever attribute is set (exactly one must be). */
function constantValue(ctx: KernelContext): Tensor {
  const node = ctx.node;
  const set = [...node.attrs.keys()].filter((k) => k.startsWith('value') || k === 'sparse_value');
  if (set.length !== 1) {
    throw nodeError(ctx, 'MODEL_INVALID', `needs exactly one value attribute, got ${set.length ? set.join(', ') : 'none'}`, { actual: set });
  }
  const name = set[0]!;
  const value = attrTensor(node, 'value');
  if (value) return value;
  const f = attrFloat(node, 'value_float');
  if (f !== undefined) return Tensor.fromNumbers('float32', [f], []);
  const fs = attrFloats(node, 'value_floats');
  if (fs) return Tensor.fromNumbers('float32', fs, [fs.length]);
  const i = attrInt(node, 'value_int');
  if (i !== undefined) return new Tensor('int64', [BigInt(i)], []);
  const is = attrInts(node, 'value_ints');
  if (is) return new Tensor('int64', is.map((v) => BigInt(v)), [is.length]);
  throw nodeError(ctx, 'OP_UNSUPPORTED', `attribute '${name}' is not supported (no string or sparse tensors)`, { actual: name });
}

const constant: OpDef = {
  infer(ctx) {
    const t = constantValue(ctx);
    return [{ dtype: t.type, shape: [...t.dims] }];
  },
  run(ctx) {
    return [constantValue(ctx)];
  },
};

/** ConstantOfShape's fill: the one-element 'value' tensor, float32 0 by default. */
function fillValue(ctx: KernelContext): Tensor {
  const value = attrTensor(ctx.node, 'value') ?? Tensor.zeros('float32', [1]);
  if (value.size !== 1) throw nodeError(ctx, 'MODEL_INVALID', `attribute 'value' must hold one element, got ${value.size}`, { actual: value.dims });
  return value;
}

const constantOfShape: OpDef = {
  infer(ctx, inputs) {
    const value = fillValue(ctx);
    const dims = constInts(ctx, inputs, 0, 'input');
    if (dims) {
      checkTargetShape(ctx, dims);
      return [{ dtype: value.type, shape: dims }];
    }
    const n = staticLength(inputs[0]);
    return [{ dtype: value.type, shape: n === undefined ? undefined : unknownDims(n) }];
  },
  run(ctx, inputs) {
    const value = fillValue(ctx);
    const dims = intsOf(ctx, required(ctx, inputs, 0, 'input'), 'input');
    checkTargetShape(ctx, dims);
    const out = Tensor.zeros(value.type, dims, 'ConstantOfShape');
    (out.data as Float64Array).fill(elements(value)[0] as number);
    return [out];
  },
};

const RANGE_TYPES: DataType[] = ['float32', 'float64', 'int16', 'int32', 'int64'];

/** Number of Range elements: max(ceil((limit - start) / delta), 0), exactly for integers. */
function rangeCount(ctx: KernelContext, start: number | bigint, limit: number | bigint, delta: number | bigint): number {
  if (delta === 0 || delta === 0n) throw nodeError(ctx, 'INPUT_INVALID', 'delta is 0');
  if (typeof start === 'bigint') {
    const diff = (limit as bigint) - start;
    const d = delta as bigint;
    let q = diff / d;
    if (diff % d !== 0n && diff > 0n === d > 0n) q += 1n;
    return q > 0n ? Number(q) : 0;
  }
  const n = Math.ceil(((limit as number) - start) / (delta as number));
  if (!Number.isFinite(n)) throw nodeError(ctx, 'INPUT_INVALID', `cannot count the elements from ${start} to ${limit} by ${delta}`);
  return Math.max(n, 0);
}

const range: OpDef = {
  infer(ctx, inputs) {
    const ts = [0, 1, 2].map((i) => required(ctx, inputs, i, ['start', 'limit', 'delta'][i]!));
    checkDtype(ctx, ts[0]!.dtype, RANGE_TYPES, 'start');
    ts.forEach((t, i) => checkDtype(ctx, t.dtype, [ts[0]!.dtype], ['start', 'limit', 'delta'][i]!));
    const values = [0, 1, 2].map((i) => ctx.constant(i));
    if (values.every((v) => v && v.size === 1)) {
      const [s, l, d] = values.map((v) => elements(v!)[0]!) as [number, number, number];
      return [{ dtype: ts[0]!.dtype, shape: [rangeCount(ctx, s, l, d)] }];
    }
    return [{ dtype: ts[0]!.dtype, shape: [undefined] }];
  },
  run(ctx, inputs) {
    const ts = [0, 1, 2].map((i) => required(ctx, inputs, i, ['start', 'limit', 'delta'][i]!));
    const dtype = ts[0]!.type;
    checkDtype(ctx, dtype, RANGE_TYPES, 'start');
    ts.forEach((t, i) => {
      checkDtype(ctx, t.type, [dtype], ['start', 'limit', 'delta'][i]!);
      if (t.size !== 1) throw nodeError(ctx, 'SHAPE_MISMATCH', `${['start', 'limit', 'delta'][i]} must be a scalar, got shape ${fmt(t.dims)}`);
    });
    const [s, l, d] = ts.map((t) => elements(t)[0]!) as [number, number, number];
    const n = rangeCount(ctx, s, l, d);
    const out = Tensor.zeros(dtype, [n], 'Range');
    if (out.data instanceof BigInt64Array) {
      const [bs, bd] = [BigInt(s), BigInt(d)];
      for (let i = 0; i < n; i++) out.data[i] = bs + BigInt(i) * bd;
    } else {
      const o = out.data as Float64Array;
      for (let i = 0; i < n; i++) o[i] = s + i * d;
    }
    return [out];
  },
};

export const dataMovementOps: OpTable = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Gather: gather,
  GatherElements: gatherElements,
  Expand: expand,
  Tile: tile,
  Shape: shape,
  Size: size,
  NonZero: nonZero,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
};
