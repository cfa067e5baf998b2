// Node transport of the kernel pool: one worker_threads Worker per thread, running node-kernel-worker-main.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SpawnWorker, WorkerTransport } from './transport.js';

// Run from TypeScript sources (tests, tsx), a worker does not inherit tsx's loader: it registers it
// before importing its .ts entry. Compiled JavaScript starts the .js entry directly.
const TS_BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.loader).then((m) => m.register()).then(() => import(workerData.entry));`;

/** File URL of tsx's ESM register API (its CommonJS build registers a path that does not exist). */
function tsxLoader(from: string): string {
  const require = createRequire(from);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

/** Workers running `entry` (default: the kernel worker, node-kernel-worker-main); `data` reaches the entry as workerData. */
export function nodeSpawner(entry?: URL, data: Record<string, unknown> = {}): SpawnWorker {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const file = entry ?? new URL(`./node-kernel-worker-main.${fromSource ? 'ts' : 'js'}`, here);
  return () => startWorker(file.href.endsWith('.ts') ? new Worker(TS_BOOT, { eval: true, workerData: { ...data, entry: file.href, loader: tsxLoader(here) } }) : new Worker(file, { workerData: data }));
}


function startWorker(worker: Worker): WorkerTransport {
  // An idle pool must not keep the process alive when a caller forgets release().
  worker.unref();
  let exitHandler: ((reason: string) => void) | undefined;
  let terminating = false;
  let lastError = '';
  worker.on('error', (err) => (lastError = err.message));
  worker.on('exit', (code) => {
    if (!terminating) exitHandler?.(`worker thread exited with code ${code}${lastError ? `: ${lastError}` : ''}`);
  });
  const transport: WorkerTransport = {
    post: (m) => worker.postMessage(m),
    onMessage: (h) => void worker.on('message', h),
    onExit: (h) => (exitHandler = h),
    async terminate() {
      terminating = true;
      await worker.terminate();
    },
  };
  return transport;
}
