/** The dashboard steps several browser tests share: a new support link, and the device that joins with it. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The ids of the device rows shown now (to tell the next one that joins). */
export function shownDeviceIds(page: Page): Promise<string[]> {
  return page.locator('[data-testid=device-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-device-id') ?? ''));
}

/** Clicks "New support link" and returns its URL once the panel shows it (until then it shows the last one, already used). */
export async function newSupportLink(page: Page): Promise<string> {
  const linkUrl = async () => ((await page.locator('[data-testid=link-url]').count()) > 0 ? (await page.locator('[data-testid=link-url]').textContent())?.trim() ?? '' : '');
  const previous = await linkUrl();
  await page.locator('[data-testid=new-link]').click();
  await expect.poll(linkUrl, { timeout: 30_000 }).not.toBe(previous);
  const url = await linkUrl();
  expect(url).toMatch(/\/s\/\d{9}$/);
  return url;
}

/** The id of the first online device row that was not among `known` (a busy machine can take long to start an agent). */
export async function newOnlineDevice(page: Page, known: string[], timeoutMs = 60_000): Promise<string> {
  const handle = await page.waitForFunction(
    (before) => Array.from(document.querySelectorAll<HTMLElement>('[data-testid=device-row][data-online=true]'))
      .map((row) => row.dataset.deviceId ?? '')
      .find((id) => id !== '' && !before.includes(id)),
    known,
    { timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as string;
}
