/**
 * Issue 13 with a real controller: the support page speaks the person's language
 * (the switch, remembered in a cookie, then the browser's, then --lang), its error
 * pages too; REST errors keep their codes and speak the reader's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, ERROR_WORDS_FR } from '../../protocol/index.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { rawRequest } from '../helpers/raw-http.js';

let c: RunningController;
let cookie: string;

beforeAll(async () => {
  c = await startController();
  cookie = await login(c);
});
afterAll(async () => c?.stop());

const FR = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };

describe('the support page', () => {
  it('is in French for a French browser, with <html lang> and the switch', async () => {
    const link = await createSupportLink(c, cookie);
    const page = await rawRequest(link.url, { headers: FR });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('souhaite vous aider');
    expect(page.text).toMatch(/Lancez (l'agent )?Relais/); // the npx way, or the download when executables are built
    expect(page.text).toContain('Lien\u00a0:');
    expect(page.text).toContain('href="?lang=en"');
    expect(page.text).toContain('<span lang="fr" aria-current="true">Français</span>');
    expect(page.text).not.toContain('would like to help you');
  });

  it('is in English by default, as before', async () => {
    const link = await createSupportLink(c, cookie);
    const page = await rawRequest(link.url);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('would like to help you');
    expect(page.text).toContain('href="?lang=fr"');
  });

  it('?lang=en sets the cookie and comes back without the query; the cookie then wins over the browser', async () => {
    const link = await createSupportLink(c, cookie);
    const pick = await rawRequest(`${link.url}?lang=en`, { headers: FR });
    expect(pick.status).toBe(303);
    expect(new URL(String(pick.headers.location), link.url).href).toBe(link.url);
    const setCookie = String(pick.headers['set-cookie']);
    expect(setCookie).toMatch(/^relais_lang=en; Path=\/s; Max-Age=31536000; SameSite=Lax/);
    const again = await rawRequest(link.url, { headers: { ...FR, cookie: 'relais_lang=en' } });
    expect(again.text).toContain('<html lang="en">');
    expect(again.text).toContain('would like to help you');
    const french = await rawRequest(link.url, { headers: { cookie: 'relais_lang=fr' } });
    expect(french.text).toContain('souhaite vous aider');
  });

  it('a bad code gets a French error page for a French browser', async () => {
    const page = await rawRequest(`${c.url}/s/000000001`, { headers: FR });
    expect(page.status).toBe(404);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain("Ce lien d'assistance ne peut pas être utilisé");
    expect(page.text).toContain(ERROR_WORDS_FR.AUTH_ERR_BAD_CODE.replace(/'/g, '&#39;'));
  });
});

describe('REST errors', () => {
  it('keep their code; the message follows the browser when no account says otherwise', async () => {
    const fr = await rawRequest(`${c.url}/api/me`, { headers: FR });
    expect(fr.status).toBe(401);
    expect(fr.json).toEqual({ error: { code: 'AUTH_ERR_NO_SESSION', message: ERROR_WORDS_FR.AUTH_ERR_NO_SESSION } });
    const en = await rawRequest(`${c.url}/api/me`);
    expect(en.json).toEqual({ error: { code: 'AUTH_ERR_NO_SESSION', message: ERRORS.AUTH_ERR_NO_SESSION.message } });
    const badLogin = await rawRequest(`${c.url}/api/login`, { method: 'POST', headers: { ...FR, origin: c.url }, body: { username: 'admin', password: 'wrong password' } });
    expect(badLogin.json.error).toEqual({ code: 'AUTH_ERR_BAD_CREDENTIALS', message: ERROR_WORDS_FR.AUTH_ERR_BAD_CREDENTIALS });
  });

  it('--lang fr makes French the answer for requests that name no language', async () => {
    const french = await startController({ args: ['--lang', 'fr'] });
    try {
      const answer = await rawRequest(`${french.url}/api/me`);
      expect(answer.json).toEqual({ error: { code: 'AUTH_ERR_NO_SESSION', message: ERROR_WORDS_FR.AUTH_ERR_NO_SESSION } });
      const page = await rawRequest(`${french.url}/s/000000001`);
      expect(page.text).toContain('<html lang="fr">');
    } finally {
      await french.stop();
    }
  });
});
