// Linux RAPL powercap meter (/sys/class/powercap/intel-rapl:*, also on AMD with recent kernels): sums the
// package zones plus the DRAM zones, which the package counter does not include; psys alone when no package.

import { EdgeError } from '../../errors.js';
import type { MeterProbe } from './meter-probe.js';
import { listDir, readCounter, readOptionalText, type EnergyMeter, type SysfsIo } from './meter.js';
import { WrappingCounter } from './wrapping-counter.js';

const ZONE_DIR = /^intel-rapl:\d+(:\d+)?$/;
// intel-rapl-mmio:* is left out on purpose: it reports the same package a second time.

interface Zone {
  dir: string;
  name: string;
}

/** Finds the RAPL zones worth summing and opens them; unreadable counters make the meter unavailable, not an error. */
export function probeRapl(root: string, io: SysfsIo): MeterProbe {
  const where = `${root}/class/powercap`;
  const zones = listDir(io, where)
    .filter((d) => ZONE_DIR.test(d))
    .map((d) => ({ dir: `${where}/${d}`, name: readOptionalText(io, `${where}/${d}/name`) ?? d }));
  const packages = zones.filter((z) => /^package-\d+$/.test(z.name));
  const chosen = packages.length > 0 ? [...packages, ...zones.filter((z) => z.name === 'dram')] : zones.filter((z) => z.name === 'psys');
  if (chosen.length === 0) {
    return { kind: 'rapl', where, reason: zones.length === 0 ? `no intel-rapl zones in ${where}` : `no package, dram or psys zone among ${zones.map((z) => z.name).join(', ')}` };
  }

  const opened: { zone: Zone; counter: WrappingCounter }[] = [];
  const problems: string[] = [];
  for (const zone of chosen) {
    const range = readCounter(io, `${zone.dir}/max_energy_range_uj`);
    const first = readCounter(io, `${zone.dir}/energy_uj`);
    if (range instanceof Error || first instanceof Error) {
      problems.push((first instanceof Error ? first : (range as Error)).message);
      continue;
    }
    opened.push({ zone, counter: new WrappingCounter(first, () => range) });
  }
  // Without its main zone the figure would be misleading: DRAM alone is not the inference's energy.
  if (!opened.some((o) => o.zone.name !== 'dram')) return { kind: 'rapl', where, reason: problems.join('; ') };

  const names = opened.map((o) => o.zone.name).join('+');
  const skipped = problems.length > 0 ? ` (skipped: ${problems.join('; ')})` : '';
  const meter: EnergyMeter = {
    name: `rapl:${names}`,
    method: `RAPL powercap energy_uj delta of ${names} over the run (whole socket: includes other processes), wrap-around via max_energy_range_uj${skipped}`,
    // Documented ranges wrap after minutes at full power; one read a second never misses a wrap.
    sampleIntervalMs: 1000,
    read() {
      let total = 0;
      for (const { zone, counter } of opened) {
        const raw = readCounter(io, `${zone.dir}/energy_uj`);
        if (raw instanceof Error) throw new EdgeError('INTERNAL', `energy meter rapl:${names}: ${raw.message}`, { cause: raw });
        total += counter.advance(raw);
      }
      return total;
    },
  };
  return { kind: 'rapl', where, meter };
}
