/**
 * Diagnostics in a real browser, from a real agent: the device page shows the
 * findings first (a disk finding forced by the controller's thresholds), Refresh
 * updates the page live, the compare view lists the differences the controller
 * computes, and the dashboard shows each device's worst finding.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../protocol/index.js';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { loginThroughUi, saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { until } from '../helpers/until.js';

const suite = useBrowserSuite(() => {
  const thresholds = join(mkdtempSync(join(tmpdir(), 'relais-thr-')), 'thresholds.json');
  // Only the disk finding is certain; the machine's load (other suites run beside this one) must not outrank it.
  writeFileSync(thresholds, JSON.stringify({ diskWarnPercent: 0.01, diskCriticalPercent: 0.02, loadWarnPerCore: 1000, loadCriticalPerCore: 1000, processHogCpuPercent: 1000, controllerSlowMs: 60_000 }));
  return { args: ['--thresholds', thresholds] };
});
const loggedInPage = (name: string) => suite.loggedInPage(name);

/** Creates a link in the UI and starts a real agent with it; resolves with the new device's id once its row is online. */
async function joinAgent(page: Page): Promise<{ agent: RunningAgent; deviceId: string }> {
  await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
  const known = await page.locator('[data-testid=device-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device-id') ?? ''));
  await page.locator('[data-testid=new-link]').click();
  const url = (await page.locator('[data-testid=link-url]').textContent())?.trim() ?? '';
  const agent = spawnAgent(['join', url]);
  suite.track(agent);
  const handle = await page.waitForFunction(
    (before) => {
      for (const row of Array.from(document.querySelectorAll<HTMLElement>('[data-testid=device-row][data-online=true]'))) {
        if (!before.includes(row.dataset.deviceId ?? '')) return row.dataset.deviceId;
      }
      return undefined;
    },
    known,
    { timeout: 20_000 },
  );
  return { agent, deviceId: (await handle.jsonValue()) as string };
}

/** The findings card's collected-at line and the snapshot it belongs to. */
async function collectedAt(page: Page): Promise<{ text: string; snapshotId: number }> {
  const line = page.locator('[data-testid=collected-at]');
  return { text: (await line.textContent()) ?? '', snapshotId: Number(await line.getAttribute('data-snapshot-id')) };
}

describe('diagnostics in a real browser', () => {
  it('shows the findings first, refreshes live, compares snapshots and badges the device list', async () => {
    const page = await loggedInPage('diagnostics');
    const { deviceId } = await joinAgent(page);
    const row = page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`);

    // The dashboard: the worst finding as a coloured badge, live (the snapshot follows the join).
    const health = row.locator('[data-testid=device-health]');
    await expect.poll(() => health.getAttribute('data-health'), { timeout: 20_000 }).toBe('critical');
    expect(await health.textContent()).toMatch(/^\d+ issues? · critical$/);

    await row.click();
    await expect.poll(() => page.url()).toContain(`#/devices/${deviceId}`);

    // Findings first: before the snapshot's sections and the remote shell, most severe first.
    // (On a very busy machine another critical finding, such as a controller probe over its time
    // limit, may stand beside it; the order is severity, then id.)
    await page.locator('[data-testid=finding]').first().waitFor({ timeout: 20_000 });
    const severities = await page.locator('[data-testid=finding]').evaluateAll((items) => items.map((i) => i.getAttribute('data-severity')));
    const rank = { critical: 0, warning: 1, info: 2 } as Record<string, number>;
    expect(severities.map((s) => rank[s ?? ''])).toEqual([...severities.map((s) => rank[s ?? ''])].sort());
    const first = page.locator('[data-testid=finding][data-finding-id="disk.full:/"]');
    expect(await first.getAttribute('data-severity')).toBe('critical');
    expect(await first.locator('.finding-title').textContent()).toMatch(/^Disk \/ is \d+ % full$/);
    const evidence = (await first.locator('[data-testid=evidence]').textContent()) ?? '';
    expect(evidence).toMatch(/Used.+ used, .+ free \(\d/);
    expect(await first.locator('.threshold').first().textContent()).toBe('threshold: warning 0.01 %, critical 0.02 %');
    expect(await first.locator('.next-step').textContent()).toMatch(/free space/);
    const order = await page.evaluate(() => {
      const at = (selector: string) => Array.from(document.querySelectorAll('*')).indexOf(document.querySelector(selector)!);
      return [at('[data-testid=findings-card]'), at('[data-testid=snapshot-details]'), at('[data-testid=terminal]')];
    });
    expect(order[0]).toBeGreaterThan(-1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // The sections read the same snapshot: the root filesystem's bar carries the finding's colour.
    await expect.poll(() => page.locator('[data-section=storage] [data-mount="/"] .bar').getAttribute('data-level')).toBe('bad');
    expect(await page.locator('[data-section=memory]').textContent()).toMatch(/available of/);
    // The helpdesk cards read this machine's real probes: no print system here, the security
    // checks, the update history, no mail client, and ten round trips to the controller.
    const cardTitles = await page.locator('[data-testid=snapshot-sections] .fact-title').allTextContents();
    expect(cardTitles).toEqual(expect.arrayContaining(['Printers', 'Security', 'Updates', 'Mail', 'Connection over time']));
    const cardText = (title: string) => page.locator('[data-testid=snapshot-sections] .fact-card', { has: page.locator('.fact-title', { hasText: title }) }).first().textContent();
    expect(await cardText('Printers')).toMatch(/print/i);
    expect(await cardText('Security')).toMatch(/Firewall/);
    expect(await cardText('Connection over time')).toMatch(/\d+\/\d+ answered/);

    // Refresh: "Collecting…" while the agent measures, then the page updates without a reload.
    const before = await collectedAt(page);
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
      const seen: string[] = [];
      (window as unknown as { refreshStates: string[] }).refreshStates = seen;
      const status = document.querySelector<HTMLElement>('[data-testid=refresh-status]')!;
      new MutationObserver(() => seen.push(status.dataset.state ?? '')).observe(status, { attributes: true, childList: true });
    });
    // The collected-at line shows seconds: the refresh must be taken in a later second than the first snapshot.
    const firstTakenAt = await page.evaluate(async (id) => ((await (await fetch(`/api/devices/${id}/snapshots/latest`)).json()) as { snapshot: { snapshot: { takenAt: number } } }).snapshot.snapshot.takenAt, deviceId);
    await until(() => Math.floor(Date.now() / 1000) > Math.floor(firstTakenAt / 1000), 5000, 'the next second');
    const refresh = page.locator('[data-testid=refresh-diagnostics]');
    expect(await refresh.isEnabled()).toBe(true);
    await refresh.click();
    await page.locator('[data-testid=refresh-status][data-state=done]').waitFor({ timeout: 20_000 });
    // "Done" comes with the agent's answer; the page then reads the new snapshot.
    await expect.poll(async () => (await collectedAt(page)).snapshotId, { timeout: 20_000 }).toBeGreaterThan(before.snapshotId);
    // The line's words may not change (times are to the minute); the snapshot behind them did.
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { refreshStates: string[] }).refreshStates)).toContain('collecting');
    expect(await page.locator('[data-testid=finding]').first().getAttribute('data-finding-id')).toBe('disk.full:/');

    // History and compare: by default the older snapshot against the latest, with the controller's differences.
    const history = page.locator('[data-testid=history-row]');
    await expect.poll(() => history.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const ids = (await history.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-snapshot-id'))))).sort((a, b) => a - b);
    const [oldest, newest] = [ids[0]!, ids.at(-1)!];
    expect(await page.locator(`[data-testid=history-row][data-snapshot-id="${newest}"] [data-testid=pick-after]`).isChecked()).toBe(true);
    expect(await page.locator(`[data-testid=history-row][data-snapshot-id="${oldest}"] [data-testid=pick-before]`).isChecked()).toBe(true);
    const comparison = page.locator('[data-testid=comparison]');
    await comparison.waitFor({ timeout: 10_000 });
    const expected = await page.evaluate(async ([id, b, a]) => (await fetch(`/api/devices/${id}/compare?before=${b}&after=${a}`)).json(), [deviceId, oldest, newest] as const) as {
      changes: { fact: string }[]; fixed: unknown[]; appeared: unknown[]; remaining: { id: string }[];
    };
    expect(await comparison.locator('[data-testid=group-remaining] [data-testid=finding-line]').evaluateAll((lines) => lines.map((l) => l.getAttribute('data-finding-id'))))
      .toEqual(expected.remaining.map((f) => f.id));
    expect(await comparison.locator('[data-testid=group-remaining]').textContent()).toMatch(/Disk \/ is \d+ % full/);
    expect(await comparison.locator('[data-testid=group-fixed] [data-testid=finding-line]').count()).toBe(expected.fixed.length);
    expect(await comparison.locator('[data-testid=group-appeared] [data-testid=finding-line]').count()).toBe(expected.appeared.length);
    expect(await comparison.locator('[data-testid=change] .change-fact').allTextContents()).toEqual(expected.changes.map((ch) => ch.fact));

    await saveScreenshot(page, 'diagnostics-device-page');

    // Back on the dashboard, the badge still names the worst finding.
    await page.locator('.back-link').click();
    await expect.poll(() => row.locator('[data-testid=device-health]').getAttribute('data-health'), { timeout: 10_000 }).toBe('critical');
  });

  it('disables Refresh once the device is gone, saying why', async () => {
    const page = await loggedInPage('diagnostics-offline');
    const { agent, deviceId } = await joinAgent(page);
    await page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`).click();
    await page.locator('[data-testid=finding]').first().waitFor({ timeout: 20_000 });
    const refresh = page.locator('[data-testid=refresh-diagnostics]');
    await expect.poll(() => refresh.isEnabled()).toBe(true);

    await agent.stop();
    await expect.poll(() => refresh.isDisabled(), { timeout: 15_000 }).toBe(true);
    const reason = (await page.locator('[data-testid=refresh-status]').textContent()) ?? '';
    expect([ERRORS.SHELL_ERR_DEVICE_OFFLINE.message, ERRORS.SESSION_ERR_ENDED.message].some((m) => reason.includes(m))).toBe(true);
    // The last diagnostics stay readable.
    expect(await page.locator('[data-testid=finding]').first().getAttribute('data-finding-id')).toBe('disk.full:/');
  });

  it('reads French around the findings and in the fact cards when the browser asks for French', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    try {
      const page = await context.newPage();
      await loginThroughUi(page, suite.controller.url, 'admin', suite.controller.adminPassword);
      const { deviceId } = await joinAgent(page);
      await page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`).click();
      await page.locator('[data-testid=finding]').first().waitFor({ timeout: 20_000 });
      expect(await page.locator('[data-testid=findings-card] .card-title').first().textContent()).toContain('Constats');
      expect(await page.locator('[data-testid=refresh-diagnostics]').textContent()).toBe('Actualiser');
      expect(await page.locator('[data-testid=collected-at]').textContent()).toMatch(/^Relevé du \d+ [a-zéû.]+ \d{4}, \d\d:\d\d \(/);
      expect(await page.locator('[data-testid=finding] .next-step-label').first().textContent()).toBe('Que faire');
      expect(await page.locator('[data-section=storage] .fact-title').textContent()).toBe('Stockage');
      expect(await page.locator('[data-section=memory]').textContent()).toMatch(/disponibles sur [\d,]+\u00a0[KMGT]?o/);
      expect(await page.locator('[data-testid=history-card] .card-title').textContent()).toBe('Historique et comparaison');
      await saveScreenshot(page, 'diagnostics-device-page-fr');
    } finally {
      await context.close();
    }
  });
});
