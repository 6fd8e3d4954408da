/**
 * The knowledge base's own pages in a real browser. The whole story (resolve, "Document this
 * fix", the next machine with the same finding gets the article first, "Run this fix", the
 * rating on the dashboard) is test/e2e/knowledge-story.test.ts; here, what that story does not
 * look at: the editor's live preview of the Markdown, the list's search marking the matched
 * words (as <mark> elements built from ranges, accents aside), an edit making a version whose
 * diff is shown, a 390 px phone that scrolls none of these pages sideways, and the dark theme.
 * Screenshots at 1366×820 go to test-results/knowledge-*.png.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { loginThroughUi, saveScreenshot } from '../helpers/browser.js';
import { useBrowserSuite } from '../helpers/browser-suite.js';
import { login } from '../helpers/controller-process.js';

const suite = useBrowserSuite();

let cookie: string | null = null;
async function rest(method: string, path: string, body?: unknown): Promise<any> {
  const c = suite.controller;
  cookie ??= await login(c);
  const res = await fetch(`${c.url}/api${path}`, { method, headers: { cookie, origin: c.url, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function noSideScroll(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')}`);
  });
}

describe('the knowledge base in the web UI', () => {
  it('the editor previews the Markdown; the search marks the matched words, accents aside; an edit makes a version and shows its changes', async () => {
    const c = suite.controller;
    const page = await suite.loggedInPage('knowledge');
    await page.setViewportSize({ width: 1366, height: 820 });
    await page.goto(`${c.url}/#/knowledge/new`);
    await page.locator('[data-testid=kb-editor]').waitFor();
    await page.locator('[data-testid=kb-title]').fill('Disque plein : libérer de la place');
    await page.locator('[data-testid=kb-symptoms-input]').fill('Les enregistrements échouent : « disque plein ».');
    await page.locator('[data-testid=kb-cause-input]').fill('Les fichiers **temporaires** ne sont jamais vidés.');
    await page.locator('[data-testid=kb-steps-input]').fill('1. Vider les fichiers temporaires anciens.\n2. Vérifier la place libre.');
    await page.locator('[data-testid=kb-category]').selectOption('system');
    await page.locator('[data-testid=kb-tags]').fill('disque, espace');
    await page.locator('[data-code="disk.full"]').check();
    // The live preview renders the Markdown.
    await expect.poll(() => page.locator('[data-testid=kb-preview] strong').allTextContents()).toContain('temporaires');
    expect(await page.locator('[data-testid=kb-preview] ol li').count()).toBe(2);
    await saveScreenshot(page, 'knowledge-editor');
    await page.locator('[data-testid=kb-save]').click();
    await page.locator('[data-testid=kb-article-page]').waitFor();
    await expect.poll(() => page.locator('[data-testid=kb-article-title]').textContent()).toBe('Disque plein : libérer de la place');
    expect(await page.locator('[data-testid=kb-steps] li').first().textContent()).toBe('Vider les fichiers temporaires anciens.');

    // The list: a search marks the matched words; accents do not matter.
    await page.goto(`${c.url}/#/knowledge`);
    await page.locator('[data-testid=kb-search]').fill('liberer plac');
    await expect.poll(() => page.locator('[data-testid=kb-result] mark').count()).toBeGreaterThan(1);
    expect(await page.locator('[data-testid=kb-result-title] mark').allTextContents()).toEqual(['libérer', 'place']);
    await saveScreenshot(page, 'knowledge-list');

    // An edit makes a version; its changes are shown.
    await page.locator('[data-testid=kb-result-title]').first().click();
    await page.locator('[data-testid=kb-edit]').click();
    await expect.poll(() => page.locator('[data-testid=kb-title]').inputValue()).toBe('Disque plein : libérer de la place');
    await page.locator('[data-testid=kb-steps-input]').fill(`${await page.locator('[data-testid=kb-steps-input]').inputValue()}\n3. Prévenir la personne.`);
    await page.locator('[data-testid=kb-save]').click();
    await page.locator('[data-testid=kb-version][data-version="2"]').waitFor();
    await page.locator('[data-testid=kb-version][data-version="2"] [data-testid=kb-show-changes]').click();
    await expect.poll(() => page.locator('[data-testid=kb-diff] [data-op=insert]').allTextContents()).toEqual(['+3. Prévenir la personne.']);
    await saveScreenshot(page, 'knowledge-article');
  }, 120_000);

  it('a 390 px phone scrolls none of the knowledge pages sideways, and the dark theme applies', async () => {
    const c = suite.controller;
    const { articles } = await rest('GET', '/knowledge/articles');
    const id = articles[0]?.id ?? (await rest('POST', '/knowledge/articles', { title: 'Imprimante bloquée', symptoms: 'Rien ne sort.', steps: '1. Relancer le spouleur.', category: 'hardware', findingCodes: ['printer.jobs-stuck'] })).article.id;
    const context = await suite.browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await loginThroughUi(page, c.url, 'admin', c.adminPassword);
      const overflowing: string[] = [];
      for (const hash of ['#/knowledge', `#/knowledge/${id}`, '#/knowledge/new', `#/knowledge/${id}/edit`]) {
        await page.goto(`${c.url}/${hash}`);
        await page.locator('.page').first().waitFor();
        await page.waitForLoadState('networkidle');
        const culprits = await noSideScroll(page);
        if (culprits.length > 0) overflowing.push(`${hash}: ${culprits.join(', ')}`);
      }
      expect(overflowing).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${c.url}/#/knowledge/${id}`);
      await page.locator('[data-testid=kb-article-title]').waitFor();
      await saveScreenshot(page, 'knowledge-dark-phone-article');
    } finally {
      await context.close();
    }
    const wide = await suite.loggedInPage('knowledge-dark');
    await wide.setViewportSize({ width: 1366, height: 820 });
    await wide.emulateMedia({ colorScheme: 'dark' });
    await wide.goto(`${c.url}/#/knowledge`);
    await wide.locator('[data-testid=kb-result]').first().waitFor();
    await saveScreenshot(wide, 'knowledge-dark-list');
    const background = await wide.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(243, 245, 249)');
  }, 90_000);
});
