/**
 * The controller's default language (`--lang`), kept on the express application so
 * that any route or the error handler can answer in the reader's language without
 * threading the configuration through every router.
 */
import type { Express, Request } from 'express';
import type { Language } from '../../../protocol/index.js';
import { personLanguage, technicianLanguage } from './request-language.js';

const KEY = 'relaisLanguage';

export function setControllerLanguage(app: Express, language: Language | null | undefined): void {
  app.locals[KEY] = language ?? null;
}

export function controllerLanguage(req: Request): Language | null {
  return ((req.app?.locals as Record<string, unknown> | undefined)?.[KEY] as Language | null | undefined) ?? null;
}

/** The language of a technician's request (account, --lang, browser). */
export function readerLanguage(req: Request): Language {
  return technicianLanguage(req, controllerLanguage(req));
}

/** The language of the person on the support page (switch, browser, --lang). */
export function visitorLanguage(req: Request): Language {
  return personLanguage(req, controllerLanguage(req));
}
