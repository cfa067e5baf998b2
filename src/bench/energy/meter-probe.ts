// The outcome of looking for one meter: an opened meter, or the reason there is none (for reports and CLI output).

import type { EnergyMeter } from './meter.js';

export interface MeterProbe {
  kind: 'rapl' | 'hwmon-energy' | 'hwmon-power';
  /** Where it was looked for, e.g. `/sys/class/powercap` or `/sys/class/hwmon/hwmon3 (amd_energy)`. */
  where: string;
  meter?: EnergyMeter;
  /** Why there is no meter (missing files, permissions, ambiguous channels). */
  reason?: string;
}
