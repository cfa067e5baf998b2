// A clock for tests of the timed loops: time moves only when a read or a fake run moves it.

export interface FakeClock {
  /** Current fake time in ms; fake sessions add their run times to it. */
  t: number;
  now(): number;
}

/** Every read costs `readNs` of fake time, as a real clock read costs real time. */
export function fakeClock(readNs: number): FakeClock {
  return {
    t: 0,
    now() {
      this.t += readNs / 1e6;
      return this.t;
    },
  };
}
