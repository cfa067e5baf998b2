// The HTML benchmark report as a reader sees it: rendered in headless Chromium from a file:// URL with
// every network request aborted, each chart checked for real drawn marks, screenshots left in /tmp.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../src/bench/report/index.js';
import { METRICS } from '../src/bench/report/metrics.js';
import { degenerateResult, sampleResult } from '../src/bench/report/sample-results.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ALL_KINDS = ['latency-histogram', 'latency-cdf', 'op-time', 'op-energy', 'throughput-batch'];

interface ChartCheck {
  kind: string;
  model: string | null;
  width: number;
  height: number;
  title: string;
  drawnMarks: number;
  marksInside: number;
}

interface PageCheck {
  charts: ChartCheck[];
  comparisonRows: number;
  comparisonText: string;
  badges: string[];
  bodyText: string;
}

interface Loaded {
  check: PageCheck;
  requests: string[];
  blocked: string[];
  consoleErrors: string[];
}

let browser: Browser | undefined;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeinfer-report-'));
  // Without Chromium every test fails (below) with the fix in its message: never a silent skip.
  if (fs.existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

function requireBrowser(): Browser {
  if (!browser) throw new Error(`report-render: ${CHROMIUM} is missing. Install it with \`apt-get install chromium\` (CI installs it in .ci/run).`);
  return browser;
}

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens the page offline (every request but the file itself aborted), measures it, screenshots it. */
async function load(html: string, name: string): Promise<Loaded> {
  const file = path.join(dir, `${name}.html`);
  fs.writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await requireBrowser().newContext({ viewport: { width: 1400, height: 900 } });
  const requests: string[] = [];
  const blocked: string[] = [];
  const consoleErrors: string[] = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    blocked.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  const check = await page.evaluate((): PageCheck => {
    const charts = Array.from(document.querySelectorAll<SVGSVGElement>('svg[data-chart]')).map((svg) => {
      const box = svg.getBoundingClientRect();
      const marks = Array.from(svg.querySelectorAll<SVGGraphicsElement>('rect.mark, path.mark, polyline.mark, circle.mark')).map((m) => m.getBoundingClientRect());
      const drawn = marks.filter((r) => r.width > 0 && r.height > 0);
      const inside = drawn.filter((r) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1);
      return {
        kind: svg.dataset['chart'] ?? '',
        model: svg.getAttribute('data-model'),
        width: box.width,
        height: box.height,
        title: svg.querySelector(':scope > title')?.textContent ?? '',
        drawnMarks: drawn.length,
        marksInside: inside.length,
      };
    });
    const table = document.querySelector('table[data-table="comparison"]');
    return {
      charts,
      comparisonRows: table ? table.querySelectorAll('tbody tr').length : 0,
      comparisonText: table?.textContent ?? '',
      badges: Array.from(document.querySelectorAll<HTMLElement>('.badge')).filter((b) => b.getBoundingClientRect().width > 0).map((b) => b.textContent ?? ''),
      bodyText: document.body.innerText,
    };
  });
  await page.screenshot({ path: path.join(os.tmpdir(), `edgeinfer-report-${name}.png`), fullPage: true });
  await context.close();
  return { check, requests, blocked, consoleErrors };
}

function expectEveryChartDrawn(charts: readonly ChartCheck[]): void {
  for (const c of charts) {
    const where = `${c.kind} (${c.model ?? 'all models'})`;
    expect(c.width, `${where}: svg width`).toBeGreaterThan(100);
    expect(c.height, `${where}: svg height`).toBeGreaterThan(50);
    expect(c.title, `${where}: <title>`).not.toBe('');
    expect(c.drawnMarks, `${where}: marks with a non-zero bounding box`).toBeGreaterThan(0);
    expect(c.marksInside, `${where}: marks inside the svg`).toBe(c.drawnMarks);
  }
}

describe('HTML report in headless Chromium', () => {
  it('shows every chart and the comparison for two models, fully offline', async () => {
    const fp32 = sampleResult({ model: 'resnet8 fp32', medianMs: 4.2, seed: 1 });
    const int8 = sampleResult({ model: 'resnet8 int8 <pruned 50%> & "friends"', medianMs: 1.9, seed: 2, energyUjPerMs: 6000, arenaBytes: 400_000 });
    const html = renderReport([fp32, int8], { title: 'ResNet-8: fp32 vs int8', createdAt: new Date('2026-11-26T12:00:00Z'), machine: { cpu: 'synthetic', cores: 2 } });
    const { check, requests, blocked, consoleErrors } = await load(html, 'two-models');

    expect(blocked, 'requests the report made to anything but its own file').toEqual([]);
    expect(requests).toHaveLength(1);
    expect(consoleErrors).toEqual([]);
    expect(check.charts.map((c) => c.kind).sort()).toEqual([...ALL_KINDS.flatMap((k) => (k === 'throughput-batch' ? [k] : [k, k]))].sort());
    expectEveryChartDrawn(check.charts);
    expect(check.charts.filter((c) => c.model === int8.model)).toHaveLength(4);
    expect(check.comparisonRows).toBe(METRICS.length);
    expect(check.comparisonText).toMatch(/\d\.\d+× faster/);
    expect(check.comparisonText).toMatch(/less energy/);
    expect(check.badges.filter((b) => b === 'ESTIMATED').length).toBeGreaterThanOrEqual(2);
    expect(check.bodyText).toContain(int8.model);
    expect(check.bodyText).not.toMatch(/NaN|undefined/);
  });

  it('draws degenerate data (one sample, zero energy, no sweep) without errors', async () => {
    const empty = { ...degenerateResult('no-samples'), samples: 0, latencyHistogram: { upperMs: [], counts: [] } };
    const html = renderReport([degenerateResult('one-sample'), empty], { title: 'degenerate', createdAt: 'now', machine: 'test' });
    const { check, blocked, consoleErrors } = await load(html, 'degenerate');
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(check.charts.map((c) => `${c.kind} ${c.model}`).sort()).toEqual(['latency-cdf one-sample', 'latency-histogram one-sample']);
    expect(check.bodyText).toContain('No latency samples recorded.');
    expectEveryChartDrawn(check.charts);
    expect(check.comparisonRows).toBe(METRICS.length);
    expect(check.badges).toContain('MEASURED');
    expect(check.bodyText).not.toMatch(/NaN|undefined|Infinity/);
  });
});
