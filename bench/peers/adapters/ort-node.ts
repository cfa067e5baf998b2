// onnxruntime-node (native CPU EP) in a benchmark worker, with a per-session intra-op thread count.

import * as ort from 'onnxruntime-node';
import type { EngineSpec } from '../engines.js';
import type { EngineAdapter } from './adapter.js';
import { ortFeeds, ortLoaded } from './ort-feeds.js';

export async function ortNodeAdapter(spec: EngineSpec): Promise<EngineAdapter> {
  return {
    version: ort.env.versions.node ?? 'unknown',
    hasSyncRun: false,
    async load(modelPath, feedData, overrides) {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: spec.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        freeDimensionOverrides: overrides,
      });
      return ortLoaded(session, ortFeeds(feedData, (type, data, dims) => new ort.Tensor(type, data, dims)));
    },
  };
}
