/**
 * The technician's page through HAProxy in front of three nodes (test/helpers/cluster.ts),
 * in a real Chromium: logged in through the balancer, the dashboard shows agents held by
 * every node, a shell opens on each of them from the one page (so at least two cross from
 * the page's node to another), and after kill -9 of a node its agent goes offline on the
 * page while the others stay online (the page reconnects first when it was on that node).
 * PostgreSQL project only.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { launchBrowser, loginThroughUi, newPage, saveScreenshot, terminalText } from '../helpers/browser.js';
import { hasHaproxy, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { createSupportLink, login } from '../helpers/controller-process.js';

const haproxy = hasHaproxy();
const QUESTION = /\[y\/N\]/i;

describe.skipIf(!haproxy)("the technician's page behind HAProxy", () => {
  let cluster: TestCluster;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const agents: RunningAgent[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    cluster = await startTestCluster(3, { env: { RELAIS_SHELL_GRACE_MS: '1500' } });
    ({ context, page } = await newPage(browser));
    await loginThroughUi(page, cluster.url, 'admin', cluster.adminPassword);
  }, 120_000);
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const file = await saveScreenshot(page, 'e2e-cluster-balancer');
      if (file) console.error(`screenshot saved: ${file}\n${cluster.nodes.map((n) => `--- ${n.id} (end)\n${n.logs().slice(-2000)}`).join('\n')}`);
    }
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await context?.close();
    await browser?.close();
    await cluster?.stop();
  });

  /** One attended agent joined straight to each node; returns the device ids in node order, once the page shows each online. */
  async function oneAgentPerNode(): Promise<string[]> {
    const cookie = await login(cluster.balancer);
    const ids: string[] = [];
    for (const node of cluster.nodes) {
      const before = await page.locator('[data-testid=device-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device-id') ?? ''));
      const link = await createSupportLink(cluster.balancer, cookie);
      const agent = spawnAgent(['join', link.code, '--controller', node.url, '--no-prompt']);
      agents.push(agent);
      const handle = await page.waitForFunction(
        (known) => Array.from(document.querySelectorAll<HTMLElement>('[data-testid=device-row][data-online=true]'))
          .map((row) => row.dataset.deviceId ?? '')
          .find((id) => id !== '' && !known.includes(id)),
        before,
        { timeout: 60_000 },
      );
      ids.push((await handle.jsonValue()) as string);
    }
    return ids;
  }

  it('shows the agents of every node live, opens a shell on each, and follows a node killed with -9', async () => {
    await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
    const ids = await oneAgentPerNode();
    for (const [index, deviceId] of ids.entries()) {
      await page.locator(`[data-testid=device-row][data-device-id="${deviceId}"]`).click();
      await expect.poll(() => page.url()).toContain(`#/devices/${deviceId}`);
      const open = page.locator('[data-testid=open-shell]');
      await expect.poll(() => open.isEnabled(), { timeout: 15_000 }).toBe(true);
      await open.click();
      await agents[index]!.waitFor(QUESTION, 30_000);
      agents[index]!.answer('y');
      await page.locator('[data-testid=shell-status][data-state=live]').waitFor({ timeout: 30_000 });
      await page.locator('[data-testid=terminal]').click();
      await page.keyboard.type(`echo node-$((${index} + 1))-ok`);
      await page.keyboard.press('Enter');
      await expect.poll(() => terminalText(page), { timeout: 30_000 }).toContain(`node-${index + 1}-ok`);
      await page.locator('[data-testid=close-shell]').click();
      await expect.poll(() => page.locator('[data-testid=shell-status]').textContent(), { timeout: 15_000 }).toMatch(/Shell closed/);
      await page.goBack();
      await page.locator('[data-testid=devices][data-loaded=true]').waitFor();
    }

    // node3 dies: its agent had only its address, so it is gone; the page (reconnected through
    // the balancer if it was on node3) shows it offline and the two others still online.
    await cluster.nodes[2]!.kill();
    // The nodes left know first (REST on node1 directly), then the page shows it.
    const cookie = await login(cluster.balancer);
    const known = async (id: string) => ((await (await fetch(`${cluster.nodes[0]!.url}/api/devices/${id}`, { headers: { cookie } })).json()) as { device: { online: boolean } }).device.online;
    await expect.poll(() => known(ids[2]!), { timeout: 30_000 }).toBe(false);
    const online = (id: string) => page.locator(`[data-testid=device-row][data-device-id="${id}"]`).getAttribute('data-online');
    await expect.poll(() => online(ids[2]!), { timeout: 60_000 }).not.toBe('true');
    expect(await online(ids[0]!)).toBe('true');
    expect(await online(ids[1]!)).toBe('true');
  }, 300_000);
});
