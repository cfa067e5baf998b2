// Energy per inference: measured through a Linux meter where one is readable, estimated from the model otherwise,
// always labelled with its source and method (see docs/energy.md).

export type { EnergyMeter, SysfsIo } from './meter.js';
export type { MeterProbe } from './meter-probe.js';
export { findEnergyMeters, openEnergyMeter } from './open-meter.js';
export { measuredEnergyReport, measureEnergy, measureEnergyAsync, type MeasureOptions } from './measure.js';
export { DEVICE_PROFILES, processScale, type DeviceProfile, type MemoryLevel } from './device-profiles.js';
export { HOROWITZ_45NM_MEMORY_PJ_PER_64BIT, HOROWITZ_45NM_OPS } from './horowitz-45nm.js';
export { estimateEnergy, type EnergyEstimate, type EstimateDetails, type EstimateOptions, type NodeEnergy } from './estimate.js';
