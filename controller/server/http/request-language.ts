/**
 * The language to answer a request in, for words the server writes itself (the
 * support page, findings, error messages, starter scripts).
 * - A technician: the account's own choice, then the controller's `--lang` (the
 *   helpdesk's language), then the browser's Accept-Language, then English.
 * - The person on the support page: the switch they used (cookie `relais_lang`),
 *   then their browser's Accept-Language, then `--lang`, then English.
 */
import { isLanguage, languageOfAcceptLanguage, type Language } from '../../../protocol/index.js';
import type { GuardedRequest } from './checks.js';

export const LANGUAGE_COOKIE = 'relais_lang';

export function technicianLanguage(req: GuardedRequest, controllerDefault: Language | null): Language {
  return req.account?.language ?? controllerDefault ?? languageOfAcceptLanguage(req.headers['accept-language']) ?? 'en';
}

export function personLanguage(req: GuardedRequest, controllerDefault: Language | null): Language {
  return chosenLanguage(req) ?? languageOfAcceptLanguage(req.headers['accept-language']) ?? controllerDefault ?? 'en';
}

/** The language a person picked with the page's switch, remembered in a cookie. */
function chosenLanguage(req: GuardedRequest): Language | undefined {
  const cookie = req.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([a-z]{2})(?:;|$)`).exec(cookie.slice(0, 8192));
  return match && isLanguage(match[1]) ? match[1] : undefined;
}
