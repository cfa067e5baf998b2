// The batcher's queue: one FIFO per priority level, walked level 1 first. Requests leave lazily (their
// state changes and the walk skips them), so a timeout or a pick from the middle costs O(1).

import type { PendingRequest, RequestState } from './pending-request.js';

interface Level {
  items: PendingRequest[];
  /** Index of the first item that may still be queued. */
  head: number;
}

export class RequestQueue {
  private readonly levels: Level[];
  private live = 0;

  constructor(priorityLevels: number) {
    this.levels = Array.from({ length: priorityLevels }, () => ({ items: [], head: 0 }));
  }

  /** Requests still waiting. */
  get size(): number {
    return this.live;
  }

  push(request: PendingRequest): void {
    this.levels[request.priority - 1]!.items.push(request);
    this.live++;
  }

  /** Takes a queued request out of the queue, leaving it in `state`. */
  take(request: PendingRequest, state: Exclude<RequestState, 'queued'>): void {
    if (request.state !== 'queued') return;
    request.state = state;
    this.live--;
  }

  /** Queued requests in service order: level 1 first, FIFO within a level. */
  *inServiceOrder(): Generator<PendingRequest> {
    for (const level of this.levels) {
      this.trim(level);
      for (let i = level.head; i < level.items.length; i++) {
        const r = level.items[i]!;
        if (r.state === 'queued') yield r;
      }
    }
  }

  /** The request served next, if any. */
  first(): PendingRequest | undefined {
    for (const r of this.inServiceOrder()) return r;
    return undefined;
  }

  /** Drops the requests that already left from the front, and compacts once the dead prefix is large. */
  private trim(level: Level): void {
    while (level.head < level.items.length && level.items[level.head]!.state !== 'queued') level.head++;
    if (level.head === level.items.length) {
      level.items.length = 0;
      level.head = 0;
    } else if (level.head > 1024 && level.head * 2 > level.items.length) {
      level.items = level.items.slice(level.head);
      level.head = 0;
    }
  }
}
