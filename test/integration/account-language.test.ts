/**
 * The account's language (issue 13): /api/me says which language the UI speaks to
 * the account (its choice, else the controller's --lang, else the browser's) and
 * what it chose; PUT /api/me/language sets or clears the choice for oneself only;
 * the web page carries --lang before anyone logs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restAnswers } from '../../protocol/index.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';

let plain: RunningController;
let french: RunningController;

beforeAll(async () => {
  [plain, french] = await Promise.all([startController(), startController({ args: ['--lang', 'fr'] })]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), french?.stop()]);
});

async function me(c: RunningController, cookie: string, acceptLanguage?: string) {
  const res = await fetch(`${c.url}/api/me`, { headers: { cookie, ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) } });
  expect(res.status).toBe(200);
  return restAnswers.me.parse(await res.json());
}

function choose(c: RunningController, cookie: string, body: unknown) {
  return fetch(`${c.url}/api/me/language`, { method: 'PUT', headers: { cookie, origin: c.url, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('the account language', () => {
  it('follows the browser, then the account choice, which outranks --lang', async () => {
    const cookie = await login(plain);
    expect(await me(plain, cookie)).toMatchObject({ language: 'en', languageChoice: null });
    expect(await me(plain, cookie, 'fr-CA,fr;q=0.9')).toMatchObject({ language: 'fr', languageChoice: null });

    const res = await choose(plain, cookie, { language: 'fr' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ language: 'fr', languageChoice: 'fr' });
    expect(await me(plain, cookie, 'en-US')).toMatchObject({ language: 'fr', languageChoice: 'fr' });
    // Another session of the same account sees the choice: it is the account's, not the browser's.
    expect(await me(plain, await login(plain), 'en-US')).toMatchObject({ language: 'fr', languageChoice: 'fr' });

    expect((await choose(plain, cookie, { language: null })).status).toBe(200);
    expect(await me(plain, cookie, 'en-US')).toMatchObject({ language: 'en', languageChoice: null });
  });

  it('--lang is the default for accounts without a choice, before their browser', async () => {
    const cookie = await login(french);
    expect(await me(french, cookie, 'en-US')).toMatchObject({ language: 'fr', languageChoice: null });
    expect((await choose(french, cookie, { language: 'en' })).status).toBe(200);
    expect(await me(french, cookie)).toMatchObject({ language: 'en', languageChoice: 'en' });
  });

  it('refuses anything but fr, en or null, and anyone not logged in', async () => {
    const cookie = await login(plain);
    for (const body of [{ language: 'de' }, {}, { language: 'fr', extra: 1 }, { language: 1 }]) {
      const res = await choose(plain, cookie, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe('HTTP_ERR_BAD_REQUEST');
    }
    expect((await choose(plain, '', { language: 'fr' })).status).toBe(401);
  });

  it('serves the web page with --lang on <html>, and without it when none is set', async () => {
    const page = await (await fetch(`${french.url}/`)).text();
    expect(page).toMatch(/<html lang="fr" data-default-lang="fr">/);
    expect(await (await fetch(`${french.url}/index.html`)).text()).toContain('data-default-lang="fr"');
    expect(await (await fetch(`${plain.url}/`)).text()).not.toContain('data-default-lang');
  });
});
