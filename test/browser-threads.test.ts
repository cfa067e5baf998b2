// Kernel threads in a browser: the built package (dist/) served to headless Chromium from a cross-origin
// isolated origin (COOP + COEP), a Conv cut across a module Web Worker on the shared WebAssembly memory,
// with exactly the single-threaded output; and no threads (no SharedArrayBuffer) on a page that is not isolated.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

// The page: one Conv (16 -> 24 channels, 3x3, 40x40) run whole and cut across one worker.
const PAGE = `<!doctype html><script type="module">
import { loadWasmKernels } from '/kernels/wasm/module.js';
import { KernelPool } from '/runtime/threads/kernel-pool.js';
import { WasmExecutor } from '/runtime/wasm/wasm-executor.js';
import { WASM_KERNELS } from '/runtime/wasm/kernels/index.js';
import { referenceOps } from '/kernels/ref/index.js';
import { randomTensor } from '/tensor/random.js';
const attrs = { kernel_shape: { type: 'ints', value: [3, 3] }, pads: { type: 'ints', value: [1, 1, 1, 1] } };
const model = {
  graph: {
    name: 'conv', valueInfo: new Map(),
    nodes: [{ op: 'Conv', domain: '', name: 'conv', inputs: ['x', 'w'], outputs: ['y'], attrs: new Map(Object.entries(attrs)) }],
    inputs: [{ name: 'x', type: { dtype: 'float32', shape: ['N', 16, 40, 40] } }],
    outputs: [{ name: 'y', type: { dtype: 'float32' } }],
    initializers: new Map([['w', randomTensor('float32', [24, 16, 3, 3], 1)]]),
  },
  opsets: new Map([['', 13]]), irVersion: 8, producerName: 'test', producerVersion: '', metadata: new Map(),
};
try {
  const result = { isolated: globalThis.crossOriginIsolated === true };
  if (result.isolated) {
    const wasm = await loadWasmKernels({ shared: true });
    const pool = await KernelPool.start(wasm, 1);
    const x = randomTensor('float32', [1, 16, 40, 40], 2);
    const whole = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm).run({ x }, [true])[0].data;
    const cutExecutor = new WasmExecutor(model, ['x'], referenceOps, WASM_KERNELS, wasm, pool);
    result.kernel = cutExecutor.planFor([x.dims]).stats.kernels[0].kernel;
    const cut = cutExecutor.run({ x }, [true])[0].data;
    result.threads = pool.threads;
    result.values = whole.length;
    result.same = whole.every((v, i) => Object.is(v, cut[i]));
    await pool.release();
  } else {
    result.rejected = await loadWasmKernels({ shared: true }).then(() => 'loaded', (e) => e.code + ': ' + e.message);
  }
  window.result = result;
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

let browser: Browser | undefined;
let server: http.Server;
let origin = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const isolate = url.searchParams.get('isolated') !== '0';
    const headers: Record<string, string> = isolate ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (url.pathname === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(PAGE);
      return;
    }
    const file = path.join(DIST, path.normalize(url.pathname));
    if (!file.startsWith(DIST) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Without Chromium or the build every test fails with the fix in its message: never a silent skip.
  if (fs.existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function load(query: string): Promise<Record<string, unknown>> {
  if (!browser) throw new Error(`browser-threads: ${CHROMIUM} is missing. Install it with \`apt-get install chromium\` (CI installs it in .ci/run).`);
  if (!fs.existsSync(path.join(DIST, 'runtime/threads/browser-kernel-worker-main.js'))) throw new Error('browser-threads: dist/ is not built: run `npm run build`');
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/${query}`);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 30_000 });
    return (await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result)) as Record<string, unknown>;
  } finally {
    await page.close();
  }
}

describe('kernel threads in Chromium', () => {
  it('cuts a Conv across a module Web Worker on a cross-origin isolated page, with the single-threaded output', async () => {
    const result = await load('');
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ isolated: true, threads: 2, values: 24 * 40 * 40, same: true });
    expect(result.kernel).toMatch(/\(2 threads\)$/);
  });

  it('has no shared kernels on a page that is not isolated, and says why', async () => {
    const result = await load('?isolated=0');
    expect(result).toMatchObject({ isolated: false });
    expect(result.rejected).toMatch(/^INPUT_INVALID: intra-op threads need SharedArrayBuffer/);
  });
});
