// Finds the energy meter of this machine: RAPL first, then hwmon energy counters, then hwmon power sensors.

import { probeHwmon } from './hwmon-meter.js';
import type { MeterProbe } from './meter-probe.js';
import { nodeSysfs, type EnergyMeter, type SysfsIo } from './meter.js';
import { probeRapl } from './rapl-meter.js';

/** Every place a meter was looked for, in order of preference, each with its meter or the reason it has none. */
export function findEnergyMeters(root = '/sys', io: SysfsIo = nodeSysfs): MeterProbe[] {
  return [probeRapl(root, io), ...probeHwmon(root, io)];
}

/** The preferred readable meter, or undefined when none is readable (no sysfs, no permission, no sensor). */
export function openEnergyMeter(root = '/sys', io: SysfsIo = nodeSysfs): EnergyMeter | undefined {
  return findEnergyMeters(root, io).find((p) => p.meter)?.meter;
}
