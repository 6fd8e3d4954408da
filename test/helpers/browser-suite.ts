/**
 * The frame of a browser test file: one Chromium and one controller for the file,
 * a fresh logged-in page per test, agents stopped after each test, and on failure a
 * screenshot plus the end of the controller's log.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RunningAgent } from './agent-process.js';
import { launchBrowser, loginThroughUi, newPage, saveScreenshot } from './browser.js';
import { startController, type ControllerOptions, type RunningController } from './controller-process.js';

export interface BrowserSuite {
  readonly controller: RunningController;
  readonly browser: Browser;
  /** A logged-in page (as admin, or as the account given; in the browser locale given); on failure its screenshot goes to test-results/e2e-<name>.png. */
  loggedInPage(name: string, as?: { username: string; password: string } | null, options?: { locale?: string }): Promise<Page>;
  /** Stops the agent after the test. */
  track(agent: RunningAgent): RunningAgent;
}

/** Registers the hooks; call at the top of a test file. `options()` is read when the suite starts. */
export function useBrowserSuite(options: () => ControllerOptions = () => ({})): BrowserSuite {
  let controller: RunningController | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const agents: RunningAgent[] = [];
  let current: { page: Page; name: string } | null = null;

  beforeAll(async () => {
    // The browser first: a missing Chromium should fail fast, before a controller starts.
    browser = await launchBrowser();
    controller = await startController(options());
  });
  afterEach(async ({ task }) => {
    // Here, not in onTestFailed: vitest runs that after afterEach, when the page is gone.
    if (task.result?.state === 'fail' && current) {
      const file = await saveScreenshot(current.page, `e2e-${current.name}`);
      if (file) console.error(`screenshot saved: ${file}\ncontroller log (end):\n${controller?.logs().slice(-4000)}`);
    }
    current = null;
    await Promise.all(contexts.splice(0).map((context) => context.close().catch(() => {})));
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  });
  afterAll(async () => {
    await browser?.close();
    await controller?.stop();
  });

  const suite: BrowserSuite = {
    get controller() {
      if (!controller) throw new Error('the suite has not started');
      return controller;
    },
    get browser() {
      if (!browser) throw new Error('the suite has not started');
      return browser;
    },
    async loggedInPage(name, as, options) {
      const { context, page } = await newPage(suite.browser, options);
      contexts.push(context);
      // The first page of a test is the one shown when it fails.
      current ??= { page, name };
      await loginThroughUi(page, suite.controller.url, as?.username ?? 'admin', as?.password ?? suite.controller.adminPassword);
      return page;
    },
    track(agent) {
      agents.push(agent);
      return agent;
    },
  };
  return suite;
}
