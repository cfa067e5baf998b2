// Tests of the static memory planner: no two tensors alive together share bytes, the arena is never below
// the lower bound and stays close to it on network-like chains; lifetimes from a model's execution plan.

import { describe, expect, it } from 'vitest';
import { EdgeError } from '../errors.js';
import { referenceOps } from '../kernels/ref/index.js';
import { seededRandom } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { makeModel, node } from '../../test/helpers/build.js';
import { formatArenaPlan, lowerBoundBytes, modelLifetimes, planArena, type ArenaPlan, type TensorLifetime } from './memory-plan.js';

/** Every pair of tensors whose lifetimes intersect must occupy disjoint byte ranges; returns the first clash. */
function findClash(plan: ArenaPlan): string | undefined {
  const ps = plan.placements.filter((p) => p.bytes > 0);
  for (let i = 0; i < ps.length; i++) {
    for (let j = i + 1; j < ps.length; j++) {
      const [a, b] = [ps[i]!, ps[j]!];
      const together = a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
      const overlap = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
      if (together && overlap) return `${a.name}@${a.offset}+${a.bytes} [${a.firstStep},${a.lastStep}] vs ${b.name}@${b.offset}+${b.bytes} [${b.firstStep},${b.lastStep}]`;
    }
  }
  return undefined;
}

function randomIntervals(seed: number, count: number, steps: number): TensorLifetime[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const first = Math.floor(rand() * steps);
    const last = Math.min(steps - 1, first + Math.floor(rand() * rand() * steps));
    const bytes = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * rand() * 100_000);
    return { name: `t${i}`, bytes, firstStep: first, lastStep: last };
  });
}

/** Lifetimes of a network written op by op: each op reads some tensors and writes one. */
class NetBuilder {
  readonly tensors: TensorLifetime[] = [];
  private step = 0;
  feed(bytes: number): number {
    this.tensors.push({ name: `t${this.tensors.length}`, bytes, firstStep: 0, lastStep: 0 });
    return this.tensors.length - 1;
  }
  op(bytes: number, ...inputs: number[]): number {
    for (const i of inputs) this.tensors[i]!.lastStep = Math.max(this.tensors[i]!.lastStep, this.step);
    this.tensors.push({ name: `t${this.tensors.length}`, bytes, firstStep: this.step, lastStep: this.step });
    this.step++;
    return this.tensors.length - 1;
  }
  /** The output lives to the end. */
  finish(output: number): TensorLifetime[] {
    this.tensors[output]!.lastStep = this.step - 1;
    return this.tensors;
  }
}

/** A plain CNN: stages of equal-sized activations, each stage half the bytes of the one before. */
function plainCnn(stages: number, perStage: number, firstBytes: number): TensorLifetime[] {
  const n = new NetBuilder();
  let x = n.feed(firstBytes / 4);
  for (let s = 0; s < stages; s++) for (let b = 0; b < perStage; b++) x = n.op(firstBytes / 2 ** s, x);
  return n.finish(n.op(40, x));
}

/** ResNet-like: blocks of two convs and an Add whose skip input stays alive across the block. */
function resnetLike(stages: number, blocks: number, hw: number, c: number): TensorLifetime[] {
  const n = new NetBuilder();
  let x = n.op(c * hw * hw * 4, n.feed(3 * hw * hw * 4));
  for (let s = 0; s < stages; s++) {
    for (let b = 0; b < blocks; b++) {
      const down = s > 0 && b === 0;
      const bytes = (down ? 2 * c : c) * (down ? hw / 2 : hw) ** 2 * 4;
      const y = n.op(bytes, n.op(bytes, x));
      x = n.op(bytes, y, down ? n.op(bytes, x) : x);
      if (down) [c, hw] = [2 * c, hw / 2];
    }
  }
  return n.finish(n.op(40, n.op(c * 4, x)));
}

/** MobileNetV2 (expand 6x, depthwise, project, residual Add) at a width multiplier and resolution. */
function mobilenetV2(width: number, res: number): TensorLifetime[] {
  const n = new NetBuilder();
  const ch = (c: number) => Math.max(8, Math.round((c * width) / 8) * 8);
  let hw = res / 2;
  let c = ch(32);
  let x = n.op(c * hw * hw * 4, n.feed(3 * res * res * 4));
  const blocks: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  for (const [t, out, reps, stride] of blocks) {
    for (let r = 0; r < reps; r++) {
      const s = r === 0 ? stride : 1;
      const [c2, hw2] = [ch(out), Math.ceil(hw / s)];
      const e = t === 1 ? x : n.op(c * t * hw * hw * 4, x);
      const p = n.op(c2 * hw2 * hw2 * 4, n.op(c * t * hw2 * hw2 * 4, e));
      x = s === 1 && c2 === c ? n.op(c2 * hw2 * hw2 * 4, p, x) : p;
      [c, hw] = [c2, hw2];
    }
  }
  return n.finish(n.op(4000, n.op(1280 * 4, n.op(1280 * hw * hw * 4, x))));
}

describe('planArena', () => {
  it('keeps tensors alive at the same step apart, on random interval sets', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const tensors = randomIntervals(seed, 5 + (seed % 7) * 20, 3 + (seed % 5) * 10);
      const plan = planArena(tensors);
      const clash = findClash(plan);
      if (clash) throw new Error(`seed ${seed}: ${clash}`);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.lowerBoundBytes);
      expect(plan.placements.every((p) => p.offset % 16 === 0)).toBe(true);
      expect(plan.arenaBytes % 16).toBe(0);
      expect(Math.max(...plan.placements.map((p) => p.offset + p.bytes))).toBeLessThanOrEqual(plan.arenaBytes);
    }
  });

  it('stays within 1.15x the lower bound on network-like chains', () => {
    const nets: [string, TensorLifetime[]][] = [];
    for (const stages of [2, 3, 4]) for (const per of [1, 3, 5]) nets.push([`plain ${stages}x${per}`, plainCnn(stages, per, 65536 * 4)]);
    for (const [stages, blocks] of [[3, 1], [3, 2], [4, 2], [4, 3]]) nets.push([`resnet ${stages}x${blocks}`, resnetLike(stages!, blocks!, 32, 16)]);
    for (const width of [0.35, 0.5, 0.75, 1, 1.4]) for (const res of [96, 160, 224]) nets.push([`mobilenet_v2 ${width} ${res}`, mobilenetV2(width, res)]);
    const ratios: string[] = [];
    for (const [name, tensors] of nets) {
      const plan = planArena(tensors);
      expect(findClash(plan), name).toBeUndefined();
      const ratio = plan.arenaBytes / plan.lowerBoundBytes;
      ratios.push(`${name}: ${ratio.toFixed(3)}`);
      expect(ratio, name).toBeLessThanOrEqual(1.15);
    }
    console.log(`arena / lower bound:\n  ${ratios.join('\n  ')}`);
  });

  it('reuses the memory of dead tensors and places the largest first', () => {
    const plan = planArena([
      { name: 'a', bytes: 100, firstStep: 0, lastStep: 1 },
      { name: 'b', bytes: 200, firstStep: 1, lastStep: 2 },
      { name: 'c', bytes: 100, firstStep: 2, lastStep: 3 },
    ]);
    const at = Object.fromEntries(plan.placements.map((p) => [p.name, p.offset]));
    expect(at).toEqual({ b: 0, a: 208, c: 208 });
    expect(plan.lowerBoundBytes).toBe(320); // 112 + 208: sizes rounded to the 16-byte alignment of every placement
    expect(plan.arenaBytes).toBe(320); // 208 + 100 rounded up to 16
  });

  it('fills a gap below a placed tensor when it fits', () => {
    const plan = planArena([
      { name: 'big', bytes: 64, firstStep: 0, lastStep: 0 },
      { name: 'mid', bytes: 48, firstStep: 1, lastStep: 2 },
      { name: 'small', bytes: 16, firstStep: 0, lastStep: 2 },
    ]);
    const at = Object.fromEntries(plan.placements.map((p) => [p.name, p.offset]));
    expect(at).toEqual({ big: 0, mid: 0, small: 64 });
    expect(plan.arenaBytes).toBe(80);
  });

  it('computes the lower bound with inclusive intervals', () => {
    expect(lowerBoundBytes([])).toBe(0);
    expect(lowerBoundBytes([{ name: 'a', bytes: 10, firstStep: 0, lastStep: 0 }, { name: 'b', bytes: 5, firstStep: 1, lastStep: 1 }])).toBe(10);
    expect(lowerBoundBytes([{ name: 'a', bytes: 10, firstStep: 0, lastStep: 1 }, { name: 'b', bytes: 5, firstStep: 1, lastStep: 1 }])).toBe(15);
    expect(planArena([]).arenaBytes).toBe(0);
  });

  it.each([
    ['negative bytes', { name: 'x', bytes: -1, firstStep: 0, lastStep: 0 }],
    ['a reversed interval', { name: 'x', bytes: 4, firstStep: 3, lastStep: 2 }],
    ['fractional steps', { name: 'x', bytes: 4, firstStep: 0.5, lastStep: 2 }],
  ])('refuses %s', (_what, t) => {
    expect(() => planArena([t])).toThrow(EdgeError);
    expect(() => planArena([t])).toThrow(/tensor 'x'/);
  });

  it('refuses an alignment that is not a power of two', () => {
    expect(() => planArena([], 12)).toThrow(/alignment must be a power of two/);
  });

  it('prints the plan by offset', () => {
    const text = formatArenaPlan(planArena([{ name: 'a', bytes: 32, firstStep: 0, lastStep: 0 }]));
    expect(text).toMatch(/^arena 32 bytes, lower bound 32 bytes \(x1\.000\), 1 tensors/);
    expect(text).toMatch(/\[\s+0,\s+32\)\s+steps 0\.\.0\s+a/);
  });
});

describe('modelLifetimes', () => {
  it('takes intervals from the execution order: feeds from step 0, outputs to the end, constants left out', () => {
    // x -> Relu -> a -> Neg -> b -> Add(a, b) -> y; the shape constant c is folded at load time.
    const model = makeModel({
      inputs: [['x', 'float32', [2, 3]]],
      outputs: [['y', 'float32', [2, 3]], ['a', 'float32', [2, 3]]],
      nodes: [node('Relu', ['x'], ['a']), node('Neg', ['a'], ['b']), node('Add', ['a', 'b'], ['y']), node('Shape', ['x'], ['c'])],
      initializers: { unused: new Tensor('float32', [1, 2], [2]) },
    });
    const { tensors, unsized, steps } = modelLifetimes(model, referenceOps);
    expect(steps).toBe(3);
    expect(unsized).toEqual([]);
    const byName = Object.fromEntries(tensors.map((t) => [t.name, [t.bytes, t.firstStep, t.lastStep]]));
    expect(byName).toEqual({ x: [24, 0, 0], a: [24, 0, 2], b: [24, 1, 2], y: [24, 2, 2] });
    const plan = planArena(tensors);
    expect(findClash(plan)).toBeUndefined();
    expect(plan.lowerBoundBytes).toBe(96); // 3 x 24 bytes, each rounded to 32 by the 16-byte alignment
  });

  it('lists values whose size is not static', () => {
    const model = makeModel({
      inputs: [['x', 'float32', ['batch', 3]]],
      outputs: [['y', 'float32']],
      nodes: [node('Relu', ['x'], ['y'])],
    });
    expect(modelLifetimes(model, referenceOps).unsized.sort()).toEqual(['x', 'y']);
  });
});
