// Turns for measurements that must not overlap: each runs after the previous one has settled, in the
// order asked. Two peak searches sharing one take alternating probes, so both see the same machine.

export type Turns = <T>(measure: () => Promise<T>) => Promise<T>;

export function serialTurns(): Turns {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(measure: () => Promise<T>) => {
    const result = last.then(measure);
    // A failed measurement must not block the ones queued behind it; its caller gets the error.
    last = result.catch(() => undefined);
    return result;
  };
}

/** No sharing: the measurement runs at once. */
export const ownTurns: Turns = (measure) => measure();
