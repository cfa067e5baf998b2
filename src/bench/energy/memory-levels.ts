// Which memory level a device serves an access from: activations from the smallest level holding the node's
// working set, weights from their home (flash) or the smallest level holding them with the activations.

import type { DeviceProfile, MemoryLevel } from './device-profiles.js';

export interface LevelChoice {
  level: MemoryLevel;
  /** False when nothing on the device is large enough: priced at the largest level, reported as a warning. */
  fits: boolean;
}

function smallestHolding(levels: MemoryLevel[], bytes: number): LevelChoice {
  const level = levels.find((l) => l.bytes >= bytes);
  return level ? { level, fits: true } : { level: levels[levels.length - 1]!, fits: false };
}

/** Level of a node's activations, from the bytes of its activation inputs and outputs (whole batch). */
export function activationLevel(profile: DeviceProfile, workingSetBytes: number): LevelChoice {
  return smallestHolding(
    profile.levels.filter((l) => !l.weightsOnly),
    workingSetBytes,
  );
}

/**
 * Level weights are read from once per batch. Weights stay cached between inferences only if they fit with the
 * largest activation working set beside them; otherwise every batch streams them from the next level out.
 */
export function weightLevel(profile: DeviceProfile, weightBytes: number, peakActivationBytes: number): LevelChoice {
  if (profile.weightsHome !== undefined) {
    const home = profile.levels.find((l) => l.name === profile.weightsHome);
    if (home) return { level: home, fits: home.bytes >= weightBytes };
  }
  return smallestHolding(profile.levels, weightBytes + peakActivationBytes);
}
