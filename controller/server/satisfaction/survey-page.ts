/**
 * `/survey/:token`: the person rates a resolved ticket through a single-use link (from the
 * support page or the technician's resolution e-mail). No account: the link is the
 * credential, so opening the page uses nothing (mail scanners open links) and only the
 * form's POST answers, once. Attempts are throttled per address (survey-throttle.ts).
 * The language is the person's (the page's switch in a cookie, the browser, --lang).
 */
import type { NextFunction, Request, Response } from 'express';
import { errorWords, formatDateTime, isLanguage, RelaisError, translator, type Language } from '../../../protocol/index.js';
import { SURVEY_LIMITS } from '../../../protocol/satisfaction-model.js';
import { clientIp } from '../http/origin.js';
import { LANGUAGE_COOKIE } from '../http/request-language.js';
import { visitorLanguage } from '../http/server-language.js';
import { el, escape, page, surveyForm, type SurveyWords } from './survey-html.js';
import { surveyPageCatalog } from './survey-page-catalog.js';
import type { SurveyStore } from './survey-store.js';
import type { SurveyThrottle } from './survey-throttle.js';

export interface SurveyPageDeps {
  readonly surveys: SurveyStore;
  readonly surveyThrottle: SurveyThrottle;
  readonly organization: string;
}

const YEAR_SECONDS = 365 * 24 * 3600;
const PROBLEM_CODES = new Set(['SURVEY_ERR_NOT_FOUND', 'SURVEY_ERR_USED', 'SURVEY_ERR_EXPIRED', 'SURVEY_ERR_THROTTLED', 'SURVEY_ERR_INVALID_FIELD']);

function problem(res: Response, deps: SurveyPageDeps, err: RelaisError, language: Language, w: SurveyWords): void {
  const message = language === 'en' ? err.message : errorWords(err.code, language);
  res.status(err.status).send(page(deps.organization, w('problemHeading'),
    el('h1', null, w('problemHeading')) + el('p', { class: 'lead', 'data-testid': 'survey-problem', 'data-code': err.code }, escape(message)), language, w));
}

/** The shared start of both handlers: headers, language, the throttle. Null when already answered. */
function begin(deps: SurveyPageDeps, req: Request, res: Response): { token: string; language: Language; w: SurveyWords; ip: string } | null {
  res.setHeader('Cache-Control', 'no-store');
  // The form posts to this page: under `no-referrer` a browser sends `Origin: null`, which the
  // Origin check refuses. `same-origin` sends our own origin here and still nothing (not the
  // token in the address) to any other site.
  res.setHeader('Referrer-Policy', 'same-origin');
  const token = String(req.params.token ?? '');
  const language = visitorLanguage(req);
  const w = translator(surveyPageCatalog, language);
  res.setHeader('Content-Language', language);
  const ip = clientIp(req);
  const wait = deps.surveyThrottle.attempt(ip);
  if (wait > 0) {
    res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
    problem(res, deps, new RelaisError('SURVEY_ERR_THROTTLED'), language, w);
    return null;
  }
  return { token, language, w, ip };
}

async function showForm(deps: SurveyPageDeps, res: Response, token: string, language: Language, w: SurveyWords, status: number, error: string | null, comment: string, chosen: string | null): Promise<void> {
  const { survey, title, technician } = await deps.surveys.inspect(token);
  if (survey.language !== language) await deps.surveys.setLanguage(survey.id, language);
  res.status(status).send(page(deps.organization, w('pageTitle'), surveyForm({
    number: `#${survey.ticket_number}`, title, technician, expiresAt: formatDateTime(survey.expires_at, language), error, comment, chosen,
  }, w), language, w));
}

/** A survey address whose %-escapes are not UTF-8: the page's own "this link is not valid", counted as a guess. */
export function surveyPageUnreadable(deps: SurveyPageDeps) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof URIError) || res.headersSent) return next(err);
    const started = begin(deps, req, res);
    if (!started) return;
    deps.surveyThrottle.guessed(started.ip);
    problem(res, deps, new RelaisError('SURVEY_ERR_NOT_FOUND'), started.language, started.w);
  };
}

export function surveyPage(deps: SurveyPageDeps) {
  return async (req: Request, res: Response) => {
    const asked = req.query.lang;
    if (isLanguage(asked)) {
      // The switch: remember the choice for these pages, then show the page again without the query.
      res.setHeader('Set-Cookie', `${LANGUAGE_COOKIE}=${asked}; Path=/survey; Max-Age=${YEAR_SECONDS}; SameSite=Lax`);
      res.setHeader('Cache-Control', 'no-store');
      return void res.redirect(303, `./${encodeURIComponent(String(req.params.token ?? ''))}`);
    }
    const started = begin(deps, req, res);
    if (!started) return;
    const { token, language, w, ip } = started;
    try {
      await showForm(deps, res, token, language, w, 200, null, '', null);
    } catch (err) {
      if (!(err instanceof RelaisError) || !PROBLEM_CODES.has(err.code)) throw err;
      if (err.code === 'SURVEY_ERR_NOT_FOUND') deps.surveyThrottle.guessed(ip);
      problem(res, deps, err, language, w);
    }
  };
}

/** `POST /survey/:token` (form: rating=1..5|not_solved, comment): answers once, then thanks. */
export function surveyAnswerPost(deps: SurveyPageDeps) {
  return async (req: Request, res: Response) => {
    const started = begin(deps, req, res);
    if (!started) return;
    const { token, language, w, ip } = started;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const chosen = typeof body.rating === 'string' ? body.rating : '';
    // A textarea may hold line breaks: the comment is one line, so they become spaces.
    const comment = (typeof body.comment === 'string' ? body.comment : '').replace(/\r?\n/g, ' ').slice(0, SURVEY_LIMITS.comment * 2);
    const answer = chosen === 'not_solved' ? { kind: 'not_solved', comment } : /^[1-5]$/.test(chosen) ? { kind: 'rating', rating: Number(chosen), comment } : null;
    try {
      if (answer === null) return await showForm(deps, res, token, language, w, 400, w('chooseFirst'), comment, null);
      const survey = await deps.surveys.answerByToken(token, answer);
      const number = `#${survey.ticket_number}`;
      res.send(page(deps.organization, w('thanksTitle'), [
        el('h1', null, w('thanksTitle')),
        el('p', { class: 'lead done', 'data-testid': 'survey-thanks' }, w('thanksText')),
        survey.not_solved === 1 ? el('p', { 'data-testid': 'survey-reopened' }, w('thanksReopened', { number: escape(number) })) : '',
      ].join('\n'), language, w));
    } catch (err) {
      if (!(err instanceof RelaisError) || !PROBLEM_CODES.has(err.code)) throw err;
      if (err.code === 'SURVEY_ERR_NOT_FOUND') deps.surveyThrottle.guessed(ip);
      if (err.code === 'SURVEY_ERR_INVALID_FIELD') {
        const message = language === 'en' ? err.message : errorWords(err.code, language);
        return void (await showForm(deps, res, token, language, w, 400, message, comment, chosen).catch(() => problem(res, deps, err, language, w)));
      }
      problem(res, deps, err, language, w);
    }
  };
}
