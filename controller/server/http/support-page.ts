/**
 * `/s/:code`: the page the person needing help opens. It says who asks, what the agent
 * does, and how to start it, in the person's language (the page's switch, remembered
 * in a cookie, then the browser's, then the controller's --lang).
 */
import type { NextFunction, Request, Response } from 'express';
import { CHAT_MAX_CHARS, errorWords, isLanguage, PROBLEM_MAX_CHARS, RelaisError, translator, type Language, type Translate } from '../../../protocol/index.js';
import { plainLine } from '../../../protocol/text.js';
import type { Throttle } from '../auth/throttle.js';
import { chatLine, type ChatService } from '../chat/chat-service.js';
import { CHAT_PAGE_MAX, type ChatStore } from '../chat/chat-store.js';
import { groupCode } from '../auth/tokens.js';
import type { SupportCodes } from '../support/support-codes.js';
import { clientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';
import { LANGUAGE_COOKIE } from './request-language.js';
import { visitorLanguage } from './server-language.js';
import { LANGUAGE_NAMES, supportPageCatalog } from './support-page-catalog.js';
import { formatSize } from '../../../protocol/i18n/format.js';
import { agentFileName, type AgentPlatform } from '../../../protocol/executable/index.js';
import type { AgentExecutables } from '../downloads/agent-executables.js';
import { personPlatform } from './person-platform.js';

export interface SupportPageDeps {
  readonly codes: SupportCodes;
  readonly throttle: Throttle;
  readonly organization: string;
  readonly origins: OwnOrigins;
  /** The controller's --lang: the person's language when neither the switch nor the browser names one. */
  readonly language?: Language | null;
  /** The chat, once an agent joined with the code (issue 15, point 4); absent: the page has no chat. */
  readonly chat?: ChatStore;
  readonly chatService?: ChatService;
  readonly sessionOf?: (code: string) => Promise<{ sessionId: string; deviceId: string; technician: string }>;
  /** The agent executables offered for download, when built. */
  readonly executables?: AgentExecutables;
  /** Once the code's ticket is resolved: a single-use link to rate it (satisfaction/satisfaction-service.ts); null when there is nothing to rate. */
  readonly surveyLinkOf?: (code: string, language: Language, base: string) => Promise<{ url: string; ticketNumber: number } | null>;
  /** Knowledge-base articles for what the person's device shows (HTML, rendered safely; empty when none). */
  readonly personHelp?: (deviceId: string, language: Language) => Promise<string>;
}

type Words = Translate<keyof typeof supportPageCatalog.en>;

const YEAR_SECONDS = 365 * 24 * 3600;

export function supportPage(deps: SupportPageDeps) {
  return async (req: Request, res: Response) => {
    const code = String(req.params.code ?? '').replace(/\D/g, '');
    res.setHeader('Cache-Control', 'no-store');
    // The switch: remember the choice for this page, then show the page again without the query.
    const asked = req.query.lang;
    if (isLanguage(asked)) {
      res.setHeader('Set-Cookie', `${LANGUAGE_COOKIE}=${asked}; Path=/s; Max-Age=${YEAR_SECONDS}; SameSite=Lax`);
      if (code) return void res.redirect(303, `./${code}`);
    }
    const language = isLanguage(asked) ? asked : visitorLanguage(req);
    const w = translator(supportPageCatalog, language);
    res.setHeader('Content-Language', language);
    const ip = clientIp(req);
    if (deps.throttle.retryAfterMs(`link:${ip}`) > 0) return void res.status(429).send(problemPage(deps.organization, new RelaisError('AUTH_ERR_THROTTLED'), language, w));
    try {
      if (!/^\d{9}$/.test(code)) throw new RelaisError('AUTH_ERR_BAD_CODE');
      const info = await deps.codes.inspect(code).catch(async (err: unknown) => {
        if (!(err instanceof RelaisError) || err.code !== 'AUTH_ERR_CODE_USED') throw err;
        // A used code whose ticket is resolved: the page offers the rating (beside the chat while the session is live).
        const survey = await deps.surveyLinkOf?.(code, language, deps.origins.baseUrl(req.headers.host)) ?? null;
        const live = deps.sessionOf && deps.chat ? await deps.sessionOf(code).catch((ended: unknown) => {
          if (survey && ended instanceof RelaisError) return null;
          throw ended;
        }) : null;
        if (!live && !survey) throw err;
        // A used code whose session is live: the page becomes the person's side of the chat.
        const help = live && deps.personHelp ? await deps.personHelp(live.deviceId, language).catch(() => '') : '';
        res.send(live ? chatPage(deps.organization, code, live.technician, language, w, survey, help) : shell(deps.organization, w('pageTitle'), surveyBlock(survey!, w), language, w));
        return null;
      });
      if (!info) return;
      const base = deps.origins.baseUrl(req.headers.host);
      const link = `${base}/s/${code}`;
      const command = `npx --yes ${base}/download/relais-agent.tgz join ${link}`; // i18n-ignore: a shell command
      const downloads = (await deps.executables?.available()) ?? new Map<AgentPlatform, number>();
      const primary = personPlatform(String(req.headers['user-agent'] ?? ''), String(req.headers['sec-ch-ua-platform'] ?? ''));
      res.send(invitationPage({ organization: deps.organization, technician: info.technician.name, code, link, command, expiresAt: info.expiresAt, downloads, primary }, language, w));
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      if (err.code === 'AUTH_ERR_BAD_CODE') deps.throttle.fail(`link:${ip}`);
      // A used code whose session is over: the person joined and it ended, which is no fault.
      if (err.code === 'AUTH_ERR_CODE_USED' && deps.sessionOf) return void res.status(err.status).send(endedPage(deps.organization, language, w));
      res.status(err.status).send(problemPage(deps.organization, err, language, w));
    }
  };
}

/**
 * A support address whose %-escapes are not UTF-8 (a link mangled by a mail client) cannot
 * be routed: the person gets the page's own "this link does not work", in their language,
 * and the attempt counts as a wrong code. The chat's JSON keeps the API's error answer.
 */
export function supportPageUnreadable(deps: SupportPageDeps) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof URIError) || res.headersSent || /\/chat\/?$/.test(req.path)) return next(err);
    const language = visitorLanguage(req);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Language', language);
    deps.throttle.fail(`link:${clientIp(req)}`);
    const refused = new RelaisError('AUTH_ERR_BAD_CODE');
    res.status(refused.status).send(problemPage(deps.organization, refused, language, translator(supportPageCatalog, language)));
  };
}

/**
 * `POST /s/:code/problem`: the person's optional line about their problem, from the page's form
 * (a same-origin form: the Origin check of every write applies). Same throttle and code checks
 * as the page; the line is kept with the code, and the page thanks the person.
 */
export function supportProblem(deps: SupportPageDeps) {
  return async (req: Request, res: Response) => {
    const code = String(req.params.code ?? '').replace(/\D/g, '');
    res.setHeader('Cache-Control', 'no-store');
    const language = visitorLanguage(req);
    const w = translator(supportPageCatalog, language);
    res.setHeader('Content-Language', language);
    const ip = clientIp(req);
    if (deps.throttle.retryAfterMs(`link:${ip}`) > 0) return void res.status(429).send(problemPage(deps.organization, new RelaisError('AUTH_ERR_THROTTLED'), language, w));
    try {
      if (!/^\d{9}$/.test(code)) throw new RelaisError('AUTH_ERR_BAD_CODE');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const line = plainLine(typeof body.problem === 'string' ? body.problem : '', PROBLEM_MAX_CHARS).trim();
      if (line === '') {
        await deps.codes.inspect(code);
        return void res.redirect(303, `../${code}`);
      }
      await deps.codes.describe(code, line);
      res.send(thanksPage(deps.organization, code, language, w));
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      if (err.code === 'AUTH_ERR_BAD_CODE') deps.throttle.fail(`link:${ip}`);
      res.status(err.status).send(problemPage(deps.organization, err, language, w));
    }
  };
}

/** A catalog error as the API answers one (`{ error: { code, message } }`), in the visitor's language. */
function pageError(err: RelaisError, language: Language): { error: { code: string; message: string } } {
  return { error: { code: err.code, message: language === 'en' ? err.message : errorWords(err.code, language) } };
}

/** Code checks and throttle of the page, for the chat's JSON routes: the live session, or a catalog error as JSON. */
async function liveSession(deps: SupportPageDeps, req: Request, res: Response): Promise<{ sessionId: string; deviceId: string } | null> {
  const code = String(req.params.code ?? '').replace(/\D/g, '');
  res.setHeader('Cache-Control', 'no-store');
  const language = visitorLanguage(req);
  const ip = clientIp(req);
  const fail = (err: RelaisError) => void res.status(err.status).json(pageError(err, language));
  if (deps.throttle.retryAfterMs(`link:${ip}`) > 0) return fail(new RelaisError('AUTH_ERR_THROTTLED')), null;
  try {
    if (!/^\d{9}$/.test(code) || !deps.sessionOf) throw new RelaisError('AUTH_ERR_BAD_CODE');
    return await deps.sessionOf(code);
  } catch (err) {
    if (!(err instanceof RelaisError)) throw err;
    if (err.code === 'AUTH_ERR_BAD_CODE') deps.throttle.fail(`link:${ip}`);
    return fail(err), null;
  }
}

/** `GET /s/:code/chat?after=ID`: the session's messages after ID, oldest first (the page polls it). */
export function supportChatRead(deps: SupportPageDeps) {
  return async (req: Request, res: Response) => {
    const live = await liveSession(deps, req, res);
    if (!live || !deps.chat) return;
    const after = Math.max(0, Math.floor(Number(req.query.after) || 0));
    res.json({ messages: await deps.chat.since(live.sessionId, after, CHAT_PAGE_MAX), open: true });
  };
}

/** `POST /s/:code/chat {text}`: the person writes from the page (a same-origin write: the Origin check applies). */
export function supportChatWrite(deps: SupportPageDeps) {
  return async (req: Request, res: Response) => {
    const live = await liveSession(deps, req, res);
    if (!live || !deps.chatService) return;
    const language = visitorLanguage(req);
    let text: string;
    try {
      text = chatLine(((req.body ?? {}) as Record<string, unknown>).text);
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      return void res.status(err.status).json(pageError(err, language));
    }
    res.status(201).json({ message: await deps.chatService.fromPerson(live.sessionId, live.deviceId, text, 'page') });
  };
}

/** The invitation to rate a resolved request, with its single-use link. */
function surveyBlock(survey: { url: string; ticketNumber: number }, w: Words): string {
  return el('section', { class: 'survey', 'data-testid': 'support-survey' },
    el('h1', null, w('surveyHeading', { number: `#${survey.ticketNumber}` })),
    el('p', { class: 'lead' }, w('surveyText')),
    el('p', null, el('a', { class: 'button', href: survey.url, 'data-testid': 'support-survey-link' }, w('surveyLink'))));
}

function chatPage(organization: string, code: string, technician: string, language: Language, w: Words, survey: { url: string; ticketNumber: number } | null = null, help = ''): string {
  const attrs = { id: 'chat', 'data-code': code, 'data-you': w('chatYou'), 'data-technician': w('chatTechnician'), 'data-failed': w('chatFailed') };
  return shell(organization, w('chatTitle'), [
    survey ? surveyBlock(survey, w) : '',
    el('h1', null, w('chatHeading', { technician: escape(technician) })),
    el('p', { class: 'lead' }, w('chatLead')),
    el('section', attrs,
      el('ol', { class: 'chat-log', 'data-testid': 'support-chat-log', 'aria-live': 'polite' }),
      el('p', { class: 'form-error', role: 'alert', hidden: 'hidden', 'data-testid': 'support-chat-error' }),
      el('form', { class: 'describe' },
        el('label', { for: 'chat-text', class: 'muted' }, w('chatLabel')),
        `<input id="chat-text" name="text" type="text" maxlength="${CHAT_MAX_CHARS}" autocomplete="off" data-testid="support-chat-input">`, // i18n-ignore: markup
        el('button', { type: 'submit', 'data-testid': 'support-chat-send' }, w('chatSend')))),
    help,
    '<script src="./chat.js" defer></script>', // i18n-ignore: markup
  ].join('\n'), language, w);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// i18n-ignore: CSS
const STYLE = `
  :root { color-scheme: light; --ink:#1f2733; --muted:#5b6675; --line:#e3e7ee; --brand:#2f6fde; --bg:#f5f7fb; }
  * { box-sizing: border-box; }
  body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
  main { max-width: 760px; margin: 48px auto; padding: 0 20px; }
  .card { background:#fff; border:1px solid var(--line); border-radius:14px; padding:28px 32px; box-shadow:0 6px 24px rgba(20,40,80,.06); }
  .top { display:flex; justify-content:space-between; gap:12px; flex-wrap:wrap; margin-bottom:8px; }
  .brand { font-weight:700; color:var(--brand); letter-spacing:.02em; }
  .langs { font-size:14px; } .langs a { color:var(--brand); } .langs [aria-current] { font-weight:700; color:var(--ink); text-decoration:none; }
  h1 { font-size:26px; margin:0 0 6px; }
  .lead { color:var(--muted); margin:0 0 20px; }
  .code { font: 600 30px/1 ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing:.08em; background:#eef3fd; border-radius:10px; padding:12px 16px; display:inline-block; }
  h2 { font-size:17px; margin:26px 0 8px; }
  pre { background:#10151d; color:#e6edf3; padding:14px 16px; border-radius:10px; white-space:pre-wrap; word-break:break-all; font-size:14px; }
  ul { margin:6px 0 0; padding-left:20px; } li { margin:3px 0; }
  .cols { display:grid; grid-template-columns: 1fr 1fr; gap: 20px; }
  .yes li::marker { content:"✓  "; color:#1d8a4e; } .no li::marker { content:"✗  "; color:#c0392b; }
  .muted { color:var(--muted); font-size:14px; }
  form.describe { display:flex; gap:8px; flex-wrap:wrap; } form.describe input { flex:1; min-width:240px; font:inherit; padding:8px 10px; border:1px solid var(--line); border-radius:8px; }
  form.describe button { font:inherit; padding:8px 16px; border:0; border-radius:8px; background:var(--brand); color:#fff; }
  .chat-log { list-style:none; padding:0; margin:16px 0; max-height:50vh; overflow:auto; } .chat-log li { margin:6px 0; padding:8px 12px; border-radius:10px; background:#eef3fd; }
  .chat-log li.person { background:#e8f6ee; } .chat-log time { color:var(--muted); font-size:13px; }
  a.download { display:inline-block; background:var(--brand); color:#fff; text-decoration:none; font-weight:600; font-size:18px; padding:14px 22px; border-radius:10px; }
  a.download:focus-visible, a.other-download:focus-visible { outline:3px solid #9bbcf5; outline-offset:2px; }
  ol.steps { margin:6px 0 0; padding-left:22px; } ol.steps li { margin:6px 0; }
  details.other-ways { margin:22px 0 0; border-top:1px solid var(--line); padding-top:14px; } details.other-ways summary { cursor:pointer; font-weight:600; }
  ul.downloads { list-style:none; padding:0; } ul.downloads li { margin:8px 0; } a.other-download { color:var(--brand); }
  .waiting { margin-top:18px; } .waiting::before { content:""; display:inline-block; width:9px; height:9px; border-radius:50%; background:#e0a21b; margin-right:8px; }
  code { font: 14px ui-monospace, SFMono-Regular, Menlo, monospace; background:#eef3fd; padding:1px 5px; border-radius:5px; overflow-wrap:anywhere; }
  @media (max-width: 640px) { .cols { grid-template-columns: 1fr; } main { margin:16px auto; } .card { padding:20px 18px; } }
  @media (prefers-color-scheme: dark) {
    :root { color-scheme: dark; --ink:#e4e9f0; --muted:#9ba7b7; --line:#2b3544; --brand:#6f9ff5; --bg:#0f141b; }
    .card { background:#161d26; box-shadow:none; } .code, code, .chat-log li { background:#1f2b3d; } .chat-log li.person { background:#1c3327; }
    a.download { color:#0f141b; } form.describe input { background:#0f141b; color:var(--ink); } form.describe button { color:#0f141b; }
  }
  .survey { border:1px solid var(--line); border-radius:12px; padding:16px 20px; margin-bottom:20px; background:#f3f8f4; }
  a.button { display:inline-block; padding:10px 18px; border-radius:8px; background:var(--brand); color:#fff; font-weight:600; text-decoration:none; }
  @media (prefers-color-scheme: dark) { .survey { background:#1c3327; } a.button { color:#0f141b; } }
`;

type Attributes = Readonly<Record<string, string>> | null;

/** An HTML element as text: attribute values are escaped; children are trusted markup (catalog text, or escaped values). */
function el(tag: string, attributes: Attributes, ...children: string[]): string {
  const attrs = Object.entries(attributes ?? {}).map(([name, value]) => ` ${name}="${escape(value)}"`).join('');
  return `<${tag}${attrs}>${children.join('')}</${tag}>`;
}

/** « Français | English »: links that set the cookie; the current language is marked, not linked. */
function languageSwitch(language: Language, w: Words): string {
  const item = (l: Language) =>
    l === language
      ? el('span', { lang: l, 'aria-current': 'true' }, LANGUAGE_NAMES[l])
      : el('a', { href: `?lang=${l}`, lang: l, hreflang: l, 'data-testid': `language-${l}` }, LANGUAGE_NAMES[l]);
  return el('nav', { class: 'langs', 'aria-label': w('languageSwitch') }, item('fr'), ' | ', item('en'));
}

function shell(organization: string, title: string, body: string, language: Language, w: Words): string {
  const meta = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'; // i18n-ignore: markup
  const head = el('head', null, meta, el('title', null, `${escape(title)} — ${escape(organization)}`), el('style', null, STYLE));
  const top = el('div', { class: 'top' }, el('div', { class: 'brand' }, w('brand', { organization: escape(organization) })), languageSwitch(language, w));
  // i18n-ignore: markup
  return `<!doctype html>${el('html', { lang: language }, head, el('body', null, el('main', null, el('div', { class: 'card' }, top, body))))}`;
}

interface Invitation {
  organization: string;
  technician: string;
  code: string;
  link: string;
  command: string;
  expiresAt: number;
  /** Executables built here, with their sizes. */
  downloads: ReadonlyMap<AgentPlatform, number>;
  /** The person's system, from their browser; null when unknown or not one we build for. */
  primary: AgentPlatform | null;
}

const SYSTEM_WORDS = { 'win-x64': 'systemWindows', 'darwin-arm64': 'systemMacArm', 'darwin-x64': 'systemMacIntel', 'linux-x64': 'systemLinux' } as const;
const OPEN_WORDS = { 'win-x64': 'openWindows', 'darwin-arm64': 'openMac', 'darwin-x64': 'openMac', 'linux-x64': 'openLinux' } as const;

function downloadLink(p: Invitation, platform: AgentPlatform, size: number, language: Language, w: Words, primary: boolean): string {
  const label = w(primary ? 'downloadButton' : 'downloadOther', { system: w(SYSTEM_WORDS[platform]), size: formatSize(size, language) });
  const href = `../download/agent/${platform}?code=${p.code}`;
  return el('a', { class: primary ? 'download' : 'other-download', href, download: agentFileName(platform), 'data-testid': `download-${platform}` }, label);
}

/** The person's one download first, what will happen in plain words, then the other ways. */
function startSection(p: Invitation, language: Language, w: Words): string {
  const primary = p.primary !== null && p.downloads.has(p.primary) ? p.primary : null;
  const npx = [el('p', null, w('startText')), el('pre', { 'data-testid': 'support-command' }, escape(p.command))].join('\n');
  if (p.downloads.size === 0) return [el('h2', null, w('startHeading')), npx].join('\n');
  const others = [...p.downloads].filter(([platform]) => platform !== primary);
  const file = primary ? agentFileName(primary) : '';
  return [
    el('h2', null, w('downloadHeading')),
    primary
      ? [
          el('p', null, downloadLink(p, primary, p.downloads.get(primary) ?? 0, language, w, true)),
          el('h2', null, w('stepsHeading')),
          el('ol', { class: 'steps', 'data-testid': 'support-steps' },
            el('li', null, w(OPEN_WORDS[primary], { file: escape(file) })),
            el('li', null, w('stepConnects', { technician: escape(p.technician) })),
            el('li', null, w('stepAsks')),
            el('li', null, w('stepEnds'))),
        ].join('\n')
      : el('p', null, w('chooseSystem')),
    el('details', primary ? { class: 'other-ways' } : { class: 'other-ways', open: 'open' },
      el('summary', null, w('otherWays')),
      el('ul', { class: 'downloads' }, ...others.map(([platform, size]) => el('li', null, downloadLink(p, platform, size, language, w, false)))),
      npx),
    el('p', { class: 'muted waiting', 'data-join-watch': 'true', 'data-code': p.code, 'data-testid': 'support-waiting' }, w('waitingForAgent')),
    '<script src="./support.js" defer></script>', // i18n-ignore: markup
  ].join('\n');
}

function invitationPage(p: Invitation, language: Language, w: Words): string {
  const minutes = Math.max(1, Math.round((p.expiresAt - Date.now()) / 60000));
  const technician = escape(p.technician);
  return shell(p.organization, w('pageTitle'), [
    el('h1', null, w('heading', { technician, organization: escape(p.organization) })),
    el('p', { class: 'lead' }, w('lead', { minutes })),
    el('div', { class: 'code', 'data-testid': 'support-code' }, escape(groupCode(p.code))),
    startSection(p, language, w),
    el('div', { class: 'cols' },
      el('div', null, el('h2', null, w('doesHeading')), el('ul', { class: 'yes' }, el('li', null, w('doesSummary', { technician })), el('li', null, w('doesAsks')), el('li', null, w('doesShows')))),
      el('div', null, el('h2', null, w('neverHeading')), el('ul', { class: 'no' }, el('li', null, w('neverShell')), el('li', null, w('neverStays')), el('li', null, w('neverReads'))))),
    el('h2', null, el('label', { for: 'problem' }, w('describeHeading'))),
    el('p', { class: 'muted' }, w('describeHint')),
    el('form', { class: 'describe', method: 'post', action: `./${p.code}/problem` },
      `<input id="problem" name="problem" type="text" maxlength="${PROBLEM_MAX_CHARS}" autocomplete="off" data-testid="support-describe">`, // i18n-ignore: markup
      el('button', { type: 'submit', 'data-testid': 'support-describe-send' }, w('describeSend'))),
    el('p', { class: 'muted' }, w('footer', { link: escape(p.link) })),
  ].join('\n'), language, w);
}

function endedPage(organization: string, language: Language, w: Words): string {
  return shell(organization, w('endedTitle'), el('h1', null, w('endedTitle')) + el('p', { class: 'lead', 'data-testid': 'support-ended' }, w('endedText')), language, w);
}

function thanksPage(organization: string, code: string, language: Language, w: Words): string {
  return shell(organization, w('describedTitle'), [
    el('h1', null, w('describedTitle')),
    el('p', { class: 'lead', 'data-testid': 'support-described' }, w('describedText')),
    el('p', null, el('a', { href: `../${code}` }, w('describedBack'))),
  ].join('\n'), language, w);
}

function problemPage(organization: string, err: RelaisError, language: Language, w: Words): string {
  const message = language === 'en' ? err.message : errorWords(err.code, language);
  return shell(organization, w('problemTitle'), el('h1', null, w('problemHeading')) + el('p', { class: 'lead', 'data-testid': 'support-problem' }, escape(message)), language, w);
}
