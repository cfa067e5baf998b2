// Entry of each engine worker: worker threads do not inherit tsx's loader, so register it here
// before importing the TypeScript worker (skipped when running compiled JavaScript).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(workerData.entry);
