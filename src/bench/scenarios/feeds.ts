// Seeded inputs for the scenarios, built once per batch size so the timed loops allocate nothing.

import { EdgeError } from '../../errors.js';
import type { InferenceSession } from '../../runtime/session.js';
import { randomTensor } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Input dims for `rows` samples: symbolic dim 0 → rows, other unknown dims → 1. */
export function inputDims(session: InferenceSession, rows: number): number[][] {
  return session.inputMetadata.map((meta) =>
    meta.shape.map((d, i) => {
      if (typeof d === 'number') {
        // A model exported with a fixed batch cannot take other batch sizes.
        if (i === 0 && d !== rows) {
          throw new EdgeError('INPUT_INVALID', `input '${meta.name}' has a fixed dim 0 of ${d}; a batch of ${rows} needs a symbolic batch dim`, {
            input: meta.name,
            expected: d,
            actual: rows,
          });
        }
        return d;
      }
      return i === 0 ? rows : 1;
    }),
  );
}

/** Feeds by rows, cached: every query of a scenario reuses the same tensors. */
export class FeedCache {
  private readonly byRows = new Map<number, { record: Record<string, Tensor>; list: Tensor[] }>();

  constructor(
    private readonly session: InferenceSession,
    private readonly seed = 0,
  ) {}

  private entry(rows: number): { record: Record<string, Tensor>; list: Tensor[] } {
    let e = this.byRows.get(rows);
    if (!e) {
      const dims = inputDims(this.session, rows);
      const list = this.session.inputMetadata.map((meta, i) => randomTensor(meta.type, dims[i]!, this.seed + i));
      e = { record: Object.fromEntries(this.session.inputNames.map((n, i) => [n, list[i]!])), list };
      this.byRows.set(rows, e);
    }
    return e;
  }

  /** Feeds as run() takes them. */
  feeds(rows: number): Record<string, Tensor> {
    return this.entry(rows).record;
  }

  /** Feeds in inputNames order, as profile() takes them. */
  list(rows: number): Tensor[] {
    return this.entry(rows).list;
  }
}
