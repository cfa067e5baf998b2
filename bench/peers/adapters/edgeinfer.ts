// edgeinfer in a benchmark worker: InferenceSession.create(path, { backend, intraOpNumThreads }) and runSync / run.

import { readFileSync } from 'node:fs';
import { InferenceSession, type SessionOptions } from '../../../src/index.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import type { EngineSpec } from '../engines.js';
import { asFloat32, type EngineAdapter } from './adapter.js';

export async function edgeinferAdapter(spec: EngineSpec): Promise<EngineAdapter> {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    version: pkg.version,
    hasSyncRun: true,
    async load(modelPath, feedData, overrides) {
      // The cast lets the list name backends that do not exist yet: create() then throws and the bench skips it.
      // With threads, the batch dim stays symbolic: a bound dim 0 is static, and runs are cut only along a symbolic one.
      const threads = spec.threads;
      const options: SessionOptions = {
        backend: spec.backend as SessionOptions['backend'],
        freeDimensionOverrides: threads > 1 ? undefined : overrides,
        intraOpNumThreads: threads,
      };
      const session = await InferenceSession.create(modelPath, options);
      const feeds = Object.fromEntries(feedData.map((f) => [f.name, new Tensor(f.dtype, f.data, f.dims)]));
      return {
        runSync: () => void session.runSync(feeds),
        run: async () => void (await session.run(feeds)),
        outputs: async () => Object.fromEntries(Object.entries(session.runSync(feeds)).map(([k, t]) => [k, asFloat32(t.data)])),
        release: () => session.release(),
      };
    },
  };
}
