// Linux hwmon meters (/sys/class/hwmon/hwmon*): energy*_input is a µJ counter read as deltas; power*_input is
// an instantaneous µW sample, integrated over time (trapezoids between reads).

import { EdgeError } from '../../errors.js';
import type { MeterProbe } from './meter-probe.js';
import { listDir, readCounter, readOptionalText, type EnergyMeter, type SysfsIo } from './meter.js';
import { hwmonRange, WrappingCounter } from './wrapping-counter.js';

type Kind = 'energy' | 'power';

/** Labels of channels that already total a device (amd_energy 'Esocket0', INA3221 on Jetson 'VDD_IN'). */
const TOTAL_LABEL = /^(e?socket|package|pkg|total|vdd_in|psys)/i;

interface Channel {
  path: string;
  label: string;
}

/** One probe per hwmon device that has energy or power channels, energy preferred. */
export function probeHwmon(root: string, io: SysfsIo): MeterProbe[] {
  const base = `${root}/class/hwmon`;
  const probes: MeterProbe[] = [];
  for (const dev of listDir(io, base)) {
    const dir = `${base}/${dev}`;
    const files = listDir(io, dir);
    const devName = readOptionalText(io, `${dir}/name`) ?? dev;
    const where = `${dir} (${devName})`;
    for (const kind of ['energy', 'power'] as const) {
      const pattern = new RegExp(`^${kind}(\\d+)_input$`);
      const inputs = files.filter((f) => pattern.test(f));
      if (inputs.length === 0) continue;
      const channels = inputs.map((f) => {
        const n = pattern.exec(f)![1]!;
        return { path: `${dir}/${f}`, label: readOptionalText(io, `${dir}/${kind}${n}_label`) ?? `${kind}${n}` };
      });
      probes.push(openChannels(kind, where, devName, chooseChannels(channels), io));
      break;
    }
  }
  // Counters before sampled power: a counter integrates in hardware, between our reads too.
  return probes.sort((a, b) => Number(a.kind === 'hwmon-power') - Number(b.kind === 'hwmon-power'));
}

/** A device's total channels; a lone channel; otherwise nothing, because summing per-core and per-socket channels counts twice. */
function chooseChannels(channels: Channel[]): Channel[] | string {
  const totals = channels.filter((c) => TOTAL_LABEL.test(c.label));
  if (totals.length > 0) return totals;
  if (channels.length === 1) return channels;
  return `${channels.length} channels (${channels.map((c) => c.label).join(', ')}) and none labelled as a total; summing them could count twice`;
}

function openChannels(kind: Kind, where: string, devName: string, chosen: Channel[] | string, io: SysfsIo): MeterProbe {
  const probeKind = kind === 'energy' ? 'hwmon-energy' : 'hwmon-power';
  if (typeof chosen === 'string') return { kind: probeKind, where, reason: chosen };
  const first = chosen.map((c) => readCounter(io, c.path));
  const problem = first.find((v): v is Error => v instanceof Error);
  if (problem) return { kind: probeKind, where, reason: problem.message };

  const name = `hwmon:${devName}/${chosen.map((c) => c.label).join('+')}`;
  const readAll = (): number[] =>
    chosen.map((c) => {
      const v = readCounter(io, c.path);
      if (v instanceof Error) throw new EdgeError('INTERNAL', `energy meter ${name}: ${v.message}`, { cause: v });
      return v;
    });
  const meter = kind === 'energy' ? energyMeter(name, first as number[], readAll) : powerMeter(name, first as number[], readAll, io);
  return { kind: probeKind, where, meter };
}

function energyMeter(name: string, first: number[], readAll: () => number[]): EnergyMeter {
  const counters = first.map((v) => new WrappingCounter(v, hwmonRange));
  return {
    name,
    method: `hwmon energy*_input (µJ counter) delta of ${name} over the run, 32-bit wrap-around unfolded`,
    sampleIntervalMs: 1000,
    read: () => readAll().reduce((sum, raw, i) => sum + counters[i]!.advance(raw), 0),
  };
}

function powerMeter(name: string, first: number[], readAll: () => number[], io: SysfsIo): EnergyMeter {
  let lastUw = first.reduce((a, b) => a + b, 0);
  let lastMs = io.nowMs();
  let totalUj = 0;
  return {
    name,
    method: `hwmon power*_input (µW) of ${name} sampled between runs and integrated over time (trapezoids)`,
    // Instantaneous samples: the more often, the closer the integral; 10 ms costs one small file read.
    sampleIntervalMs: 10,
    read() {
      const uw = readAll().reduce((a, b) => a + b, 0);
      const ms = io.nowMs();
      totalUj += (((uw + lastUw) / 2) * Math.max(0, ms - lastMs)) / 1000; // µW × ms / 1000 = µJ
      lastUw = uw;
      lastMs = ms;
      return totalUj;
    },
  };
}
