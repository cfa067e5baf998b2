// Round-robin scheduling: every round gives each engine one short block of runs, starting from a
// different engine each round, so the noise of a shared machine falls on all engines alike.

export interface Participant<T> {
  id: string;
  block(): Promise<T>;
}

export interface InterleaveResult<T> {
  /** Per engine, one entry per round, in round order (only engines that completed every round). */
  blocks: Map<string, T[]>;
  /** Engines that failed in some round, with the error; their partial blocks are dropped. */
  failed: Map<string, Error>;
}

export async function interleave<T>(participants: readonly Participant<T>[], rounds: number, onBlock?: (id: string, round: number) => void): Promise<InterleaveResult<T>> {
  const blocks = new Map<string, T[]>(participants.map((p) => [p.id, []]));
  const failed = new Map<string, Error>();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < participants.length; k++) {
      const p = participants[(r + k) % participants.length]!;
      if (failed.has(p.id)) continue;
      try {
        blocks.get(p.id)!.push(await p.block());
      } catch (err) {
        failed.set(p.id, err as Error);
        blocks.delete(p.id);
      }
      onBlock?.(p.id, r);
    }
  }
  return { blocks, failed };
}
