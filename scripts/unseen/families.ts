// CNNs of the benchmark's families (MobileNetV2, CIFAR ResNet, DS-CNN keyword spotting, a plain VGG-like net)
// that are not in the fixtures: other widths, resolutions, depths, BatchNorm kept or folded, opsets 13–17.

import type { Model } from '../../src/ir/graph.js';
import { TorchStyleBuilder, type ConvSpec } from './torch-style-builder.js';

export interface UnseenModelSpec {
  name: string;
  family: string;
  /** What differs from the fixture model of the same family. */
  about: string;
  build: () => Model;
}

// ---- MobileNetV2 (torchvision's layout) -------------------------------------------------------------------

/** torchvision's _make_divisible: round to a multiple of 8, never more than 10 % down. */
function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/** [expansion t, channels c, repeats n, first stride s] of torchvision's MobileNetV2. */
const INVERTED_RESIDUALS: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options {
  width: number;
  resolution: number;
  classes?: number;
  foldBatchNorm?: boolean;
  /** Fewer stages (a prefix of the table), for tests. */
  stages?: number;
  opset?: number;
  seed?: number;
}

export function mobileNetV2(o: MobileNetV2Options): Model {
  const b = new TorchStyleBuilder({ name: 'input', shape: [3, o.resolution, o.resolution] }, o.foldBatchNorm ?? true, o.seed ?? 1);
  let x = b.relu6(b.conv('input', '/features/features.0/features.0.0', { out: makeDivisible(32 * o.width), kernel: [3, 3], stride: [2, 2] }), '/features/features.0/features.0.2');
  let block = 1;
  for (const [t, c, n, s] of INVERTED_RESIDUALS.slice(0, o.stages ?? INVERTED_RESIDUALS.length)) {
    const out = makeDivisible(c * o.width);
    for (let i = 0; i < n; i++, block++) {
      const scope = `/features/features.${block}/conv`;
      const inp = b.channelsOf(x);
      const hidden = Math.round(inp * t);
      const stride = i === 0 ? s : 1;
      // torchvision numbers the layers of `conv`: [expand 1x1 (t != 1)], depthwise 3x3, project 1x1 (no activation).
      const layers: ConvSpec[] = [
        ...(t !== 1 ? [{ out: hidden, kernel: [1, 1] } satisfies ConvSpec] : []),
        { out: hidden, kernel: [3, 3], stride: [stride, stride], group: hidden },
      ];
      let y = x;
      layers.forEach((spec, k) => (y = b.relu6(b.conv(y, `${scope}/conv.${k}/conv.${k}.0`, spec), `${scope}/conv.${k}/conv.${k}.2`)));
      y = b.conv(y, `${scope}/conv.${layers.length}`, { out, kernel: [1, 1] });
      x = stride === 1 && inp === out ? b.add(x, y, `/features/features.${block}`) : y;
    }
  }
  const last = makeDivisible(1280 * Math.max(1, o.width));
  x = b.relu6(b.conv(x, `/features/features.${block}/features.${block}.0`, { out: last, kernel: [1, 1] }), `/features/features.${block}/features.${block}.2`);
  x = b.flatten(b.globalAveragePool(x, ''), '');
  return b.finish(b.linear(x, '/classifier/classifier.1', o.classes ?? 1000, 'output'), o.opset ?? 13);
}

// ---- CIFAR ResNet (the fixture resnet8's layout: 3 stages, a 1x1 conv shortcut where the shape changes) ------

export interface ResNetOptions {
  widths: [number, number, number];
  blocksPerStage: number;
  resolution?: number;
  classes?: number;
  foldBatchNorm?: boolean;
  /** GlobalAveragePool (nn.AdaptiveAvgPool2d) instead of an 8x8 AveragePool. */
  globalPool?: boolean;
  opset?: number;
  seed?: number;
}

export function cifarResNet(o: ResNetOptions): Model {
  const resolution = o.resolution ?? 32;
  const b = new TorchStyleBuilder({ name: 'input', shape: [3, resolution, resolution] }, o.foldBatchNorm ?? true, o.seed ?? 2);
  let x = b.relu(b.conv('input', '/conv', { out: o.widths[0], kernel: [3, 3] }), '');
  o.widths.forEach((width, stage) => {
    for (let i = 0; i < o.blocksPerStage; i++) {
      const scope = `/stage${stage + 1}/block${i}`;
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const y = b.conv(b.relu(b.conv(x, `${scope}/conv1`, { out: width, kernel: [3, 3], stride: [stride, stride] }), scope), `${scope}/conv2`, { out: width, kernel: [3, 3] });
      // torchvision's downsample keeps its BatchNorm; the fixture's CIFAR shortcut is a plain conv when BN is folded.
      const shortcut = stride === 1 && b.channelsOf(x) === width ? x : b.conv(x, `${scope}/shortcut`, { out: width, kernel: [1, 1], stride: [stride, stride] }, !(o.foldBatchNorm ?? true));
      x = b.relu(b.add(shortcut, y, scope), scope);
    }
  });
  x = o.globalPool ? b.globalAveragePool(x, '/pool') : b.averagePool(x, '/pool');
  return b.finish(b.linear(b.flatten(x, ''), '/fc', o.classes ?? 10, 'output'), o.opset ?? 13);
}

// ---- DS-CNN for keyword spotting (MLPerf Tiny's layout: 10x4 stride-2 conv, depthwise-separable blocks) ------

export interface DsCnnOptions {
  channels: number;
  blocks: number;
  classes?: number;
  foldBatchNorm?: boolean;
  opset?: number;
  seed?: number;
}

export function dsCnn(o: DsCnnOptions): Model {
  const b = new TorchStyleBuilder({ name: 'input', shape: [1, 49, 10] }, o.foldBatchNorm ?? true, o.seed ?? 3);
  let x = b.relu(b.conv('input', '/conv', { out: o.channels, kernel: [10, 4], stride: [2, 2], pads: [5, 1, 5, 1] }), '');
  for (let i = 0; i < o.blocks; i++) {
    const scope = `/blocks/blocks.${i}`;
    x = b.relu(b.conv(x, `${scope}/blocks.${i}.0`, { out: o.channels, kernel: [3, 3], group: o.channels }), `${scope}/blocks.${i}.2`);
    x = b.relu(b.conv(x, `${scope}/blocks.${i}.3`, { out: o.channels, kernel: [1, 1] }), `${scope}/blocks.${i}.5`);
  }
  x = b.averagePool(x, '/pool');
  return b.finish(b.linear(b.flatten(x, ''), '/fc', o.classes ?? 12, 'output'), o.opset ?? 13);
}

// ---- A plain VGG-like CNN: 3x3 convs, 2x2 max pools, a two-layer classifier --------------------------------

export interface VggOptions {
  /** Conv widths; 'M' is a 2x2 max pool. */
  layers: (number | 'M')[];
  resolution?: number;
  hidden?: number;
  classes?: number;
  foldBatchNorm?: boolean;
  opset?: number;
  seed?: number;
}

export function vggSmall(o: VggOptions): Model {
  const resolution = o.resolution ?? 32;
  const b = new TorchStyleBuilder({ name: 'input', shape: [3, resolution, resolution] }, o.foldBatchNorm ?? true, o.seed ?? 4);
  let x = 'input';
  o.layers.forEach((layer, i) => {
    const scope = `/features/features.${i}`;
    x = layer === 'M' ? b.maxPool(x, scope, 2) : b.relu(b.conv(x, `${scope}/conv`, { out: layer, kernel: [3, 3] }), scope);
  });
  x = b.relu(b.linear(b.flatten(x, ''), '/classifier/classifier.0', o.hidden ?? 256), '/classifier/classifier.1');
  return b.finish(b.linear(x, '/classifier/classifier.3', o.classes ?? 10, 'output'), o.opset ?? 13);
}

// ---- The set written by scripts/make-unseen-models.ts ----------------------------------------------------------

export const UNSEEN_MODELS: UnseenModelSpec[] = [
  {
    name: 'mobilenet_v2_050_128',
    family: 'MobileNetV2',
    about: 'width 0.5 at 128x128 (fixtures: 0.35 at 96, 1.0 at 224), BatchNorm folded, opset 13',
    build: () => mobileNetV2({ width: 0.5, resolution: 128, opset: 13, seed: 11 }),
  },
  {
    name: 'mobilenet_v2_075_160',
    family: 'MobileNetV2',
    about: 'width 0.75 at 160x160, BatchNormalization kept, opset 15',
    build: () => mobileNetV2({ width: 0.75, resolution: 160, foldBatchNorm: false, opset: 15, seed: 12 }),
  },
  {
    name: 'resnet8_wide',
    family: 'ResNet (CIFAR)',
    about: 'ResNet-8 with 24/48/96 channels at 32x32 (fixture: 16/32/64), BatchNorm folded, opset 14',
    build: () => cifarResNet({ widths: [24, 48, 96], blocksPerStage: 1, opset: 14, seed: 21 }),
  },
  {
    name: 'resnet14',
    family: 'ResNet (CIFAR)',
    about: 'ResNet-14: 3 stages x 2 blocks, 16/32/64 channels, BatchNormalization kept, GlobalAveragePool, opset 17',
    build: () => cifarResNet({ widths: [16, 32, 64], blocksPerStage: 2, foldBatchNorm: false, globalPool: true, opset: 17, seed: 22 }),
  },
  {
    name: 'dscnn_kws_172',
    family: 'DS-CNN (KWS)',
    about: '49x10 input, 5 depthwise-separable blocks of 172 channels (fixture: 4 of 64), BatchNorm folded, opset 16',
    build: () => dsCnn({ channels: 172, blocks: 5, opset: 16, seed: 31 }),
  },
  {
    name: 'vgg_small',
    family: 'VGG-like',
    about: 'plain CNN: 2x(3x3 conv) per stage at 32/64/128 channels with 2x2 max pools, Linear 2048-256-10, opset 15',
    build: () => vggSmall({ layers: [32, 32, 'M', 64, 64, 'M', 128, 128, 'M'], opset: 15, seed: 41 }),
  },
];
