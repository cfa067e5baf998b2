// onnxruntime-web (wasm EP) in a benchmark worker. Its thread pool is global to the WebAssembly
// instance and fixed at first use, which is why each thread count gets a worker of its own.

import * as ort from 'onnxruntime-web';
import type { EngineSpec } from '../engines.js';
import type { EngineAdapter } from './adapter.js';
import { ortFeeds, ortLoaded } from './ort-feeds.js';

export async function ortWebAdapter(spec: EngineSpec): Promise<EngineAdapter> {
  ort.env.wasm.numThreads = spec.threads;
  ort.env.wasm.proxy = false; // run in this worker, not in a proxy worker of its own
  return {
    version: ort.env.versions.web ?? 'unknown',
    hasSyncRun: false,
    async load(modelPath, feedData, overrides) {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
        freeDimensionOverrides: overrides,
      });
      return ortLoaded(session, ortFeeds(feedData, (type, data, dims) => new ort.Tensor(type, data, dims)));
    },
  };
}
