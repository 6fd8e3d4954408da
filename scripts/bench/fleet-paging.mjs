/**
 * The fleet bench's paging phase, with every enrolled device online: a console
 * connecting and loading the first page of devices (what the web UI does on
 * opening), the largest message a console then receives, and a real Chromium
 * opening the Fleet page (first page rendered) and searching it (the answer shown),
 * with a screenshot to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import WebSocket from 'ws';
import { loadProtocol } from './protocol-bundle.mjs';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLES = 20;
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

/** One console: connect, hello, welcome, then GET the first page; resolves with the timings and what arrived. */
async function connectThenFirstPage(url, cookie, { LIMITS, PROTOCOL_VERSION, encodeControl }) {
  const started = performance.now();
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/console`, { headers: { cookie, origin: url }, maxPayload: LIMITS.maxFrameBytes, perMessageDeflate: false });
  const received = [];
  const welcomed = new Promise((resolve, reject) => {
    ws.on('message', (data, binary) => {
      if (binary) return;
      received.push(data.length);
      if (JSON.parse(String(data)).t === 'welcome') resolve();
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`the console was closed (${code})`)));
  });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  ws.send(encodeControl({ t: 'hello', v: PROTOCOL_VERSION, role: 'console' }));
  await welcomed;
  const welcomeMs = performance.now() - started;
  const res = await fetch(`${url}/api/devices?kind=managed&limit=50`, { headers: { cookie } });
  const page = await res.json();
  if (res.status !== 200 || page.devices.length === 0) throw new Error(`the first page failed: HTTP ${res.status}`);
  const firstPageMs = performance.now() - started;
  return { ws, welcomeMs, firstPageMs, total: page.total, online: page.online, received };
}

/** Measures the console and, when Chromium is installed, the Fleet page. */
export async function measurePaging({ root, controller, cookie, devices, screenshot }) {
  const proto = await loadProtocol(root);
  const samples = [];
  let total = 0;
  let online = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const one = await connectThenFirstPage(controller.url, cookie, proto);
    samples.push(one);
    total = one.total;
    online = one.online;
    if (i < SAMPLES - 1) one.ws.close();
  }
  // The last console stays a few seconds: it must not be closed, and what it gets must stay small.
  const watcher = samples[samples.length - 1];
  await new Promise((r) => setTimeout(r, 3000));
  const stillOpen = watcher.ws.readyState === WebSocket.OPEN;
  const largestMessageBytes = Math.max(0, ...samples.flatMap((s) => s.received));
  watcher.ws.close();
  const firstPage = samples.map((s) => s.firstPageMs);
  const figures = {
    devices, listed: total, online, samples: SAMPLES,
    welcomeP50Ms: percentile(samples.map((s) => s.welcomeMs), 50),
    firstPageP50Ms: percentile(firstPage, 50), firstPageP95Ms: percentile(firstPage, 95), firstPageMaxMs: Math.max(...firstPage),
    consoleStillOpen: stillOpen, largestMessageBytes,
  };
  figures.browser = existsSync(CHROMIUM) ? await measureBrowser({ controller, cookie, screenshot, target: `bench-${String(Math.floor(devices * 0.4321)).padStart(5, '0')}` }) : { skipped: `no Chromium at ${CHROMIUM}` };
  return figures;
}

/** The Fleet page in headless Chromium: first page of rows on screen, then a search answered. */
async function measureBrowser({ controller, cookie, screenshot, target }) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: controller.url }]);
    const page = await context.newPage();
    const rows = page.locator('[data-testid=fleet-row]');
    let started = performance.now();
    await page.goto(`${controller.url}/#/fleet`);
    await rows.nth(49).waitFor({ timeout: 30_000 });
    const firstPageMs = performance.now() - started;
    const shownRows = await rows.count();
    const countText = (await page.locator('[data-testid=fleet-count]').textContent()) ?? '';
    if (screenshot) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
    }
    started = performance.now();
    await page.locator('[data-testid=fleet-search]').fill(target);
    await page.waitForFunction((t) => {
      const found = Array.from(document.querySelectorAll('[data-testid=fleet-row]'));
      return found.length === 1 && (found[0].textContent ?? '').includes(t);
    }, target, { timeout: 30_000 });
    // Includes the page's 250 ms pause after typing (it waits for the technician to stop).
    const searchMs = performance.now() - started;
    await page.locator('[data-testid=fleet-search]').fill('');
    await rows.nth(49).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=show-more]').click();
    started = performance.now();
    await rows.nth(99).waitFor({ timeout: 30_000 });
    const showMoreMs = performance.now() - started;
    return { firstPageMs, shownRows, countText, search: target, searchMs, showMoreMs, screenshot };
  } finally {
    await browser.close();
  }
}
