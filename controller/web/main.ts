/**
 * The browser app's entry point: checks the session, shows the login screen or
 * the logged-in frame, and mounts one page per hash route.
 */
import { errorWords } from '../../protocol/index.js';
import { ApiError, api, onUnauthorized, type Me } from './connection/api.js';
import { createAppFrame, type AppFrame } from './pages/app-frame.js';
import { createAuditPage } from './pages/audit-page.js';
import { ConsoleSocket } from './connection/console-socket.js';
import { createDashboardPage } from './pages/dashboard-page.js';
import { createShellPage } from './shell/shell-page.js';
import { createDevicePage } from './devices/device-page.js';
import { DeviceStore } from './devices/device-store.js';
import { el, replaceChildren } from './ui/dom.js';
import { createEnrollmentPage } from './fleet/enrollment-page.js';
import { createFleetPage } from './fleet/fleet-page.js';
import { createJobPage } from './fleet/job-page.js';
import { createJobsPage } from './fleet/jobs-page.js';
import { createScriptEditorPage } from './fleet/script-editor-page.js';
import { createScriptsPage } from './fleet/scripts-page.js';
import { createNewTicketPage } from './tickets/new-ticket-page.js';
import { createTicketPage } from './tickets/ticket-page.js';
import { createTicketsPage } from './tickets/tickets-page.js';
import { createReportsPage } from './reports/reports-page.js';
import { createArticleEditorPage } from './knowledge/article-editor-page.js';
import { createArticlePage } from './knowledge/article-page.js';
import { createKnowledgePage } from './knowledge/knowledge-page.js';
import { createSettingsPage } from './settings/settings-page.js';
import { createLoginPage } from './pages/login-page.js';
import { loginCatalog } from './pages/login-catalog.js';
import { appFrameCatalog } from './pages/app-frame-catalog.js';
import { language, onLanguageChange, rememberedLanguage, useLanguage, wordsOf } from './app/language.js';
import type { AppContext, Page } from './app/page.js';
import { hashOf, parseRoute, type Route } from './app/router.js';

const loginWords = wordsOf(loginCatalog);
const t = wordsOf(appFrameCatalog);

const root = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));

let session: { app: AppContext; frame: AppFrame } | null = null;
let page: { dispose(): void } | null = null;
/** Where to go after logging in (the page asked for before the login screen). */
let afterLogin: Route = { name: 'dashboard' };

function navigate(hash: string): void {
  if (location.hash === hash) showRoute();
  else location.hash = hash;
}

function mount(next: { root: HTMLElement; dispose(): void }, into: HTMLElement): void {
  page?.dispose();
  page = next;
  replaceChildren(into, next.root);
}

function showLogin(notice?: string): void {
  if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  document.title = loginWords('pageTitle');
  mount(createLoginPage(() => void resume(), notice), root);
}

function showRoute(): void {
  const route = parseRoute(location.hash);
  if (!session) {
    if (route.name !== 'login') afterLogin = route;
    showLogin();
    return;
  }
  if (route.name === 'login') return navigate('#/');
  const { app, frame } = session;
  if (frame.root.parentElement !== root) replaceChildren(root, frame.root);
  const next: Page = route.name === 'device' ? createDevicePage(app, route.deviceId)
    : route.name === 'deviceShell' ? createShellPage(app, route.deviceId, route.channel)
    : route.name === 'audit' ? createAuditPage()
    : route.name === 'fleet' ? createFleetPage(app)
    : route.name === 'enroll' ? createEnrollmentPage(app)
    : route.name === 'scripts' ? createScriptsPage(app)
    : route.name === 'script' ? createScriptEditorPage(app, route.scriptId)
    : route.name === 'jobs' ? createJobsPage(app)
    : route.name === 'job' ? createJobPage(app, route.jobId)
    : route.name === 'tickets' ? createTicketsPage(app)
    : route.name === 'newTicket' ? createNewTicketPage(app, route.deviceId)
    : route.name === 'ticket' ? createTicketPage(app, route.ticketNumber)
    : route.name === 'knowledge' ? createKnowledgePage(app)
    : route.name === 'article' ? createArticlePage(app, route.articleId)
    : route.name === 'articleEdit' ? createArticleEditorPage(app, route)
    : route.name === 'settings' ? createSettingsPage(app)
    : route.name === 'reports' ? createReportsPage(app)
    : createDashboardPage(app);
  mount(next, frame.main);
  frame.setActive(route);
  document.title = t('pageTitle', { page: next.title, organization: app.me.organization });
  frame.main.scrollTop = 0;
}

function startSession(me: Me): void {
  const socket = new ConsoleSocket(() => expire());
  const store = new DeviceStore(socket);
  const app: AppContext = { me, socket, store, navigate };
  const frame = createAppFrame(app, () => void logout());
  session = { app, frame };
  socket.start();
}

function endSession(): void {
  page?.dispose();
  page = null;
  if (!session) return;
  session.frame.dispose();
  session.app.socket.stop();
  session.app.store.clear();
  session = null;
}

/** The session cookie is no longer valid: back to the login screen, saying why. */
function expire(): void {
  if (!session) return;
  afterLogin = parseRoute(location.hash);
  endSession();
  showLogin(errorWords('AUTH_ERR_NO_SESSION', language()));
}

async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // Already logged out server-side, or unreachable: either way, leave locally.
  }
  afterLogin = { name: 'dashboard' };
  endSession();
  showLogin();
}

/** Checks the session cookie and enters the app, or shows the login screen. */
async function resume(): Promise<void> {
  replaceChildren(root, el('div', { class: 'boot' }, el('span', { class: 'spinner spinner-large', 'aria-hidden': 'true' }), t('loading')));
  let me: Me;
  try {
    me = await api.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin();
    const message = err instanceof ApiError ? err.message : errorWords('HTTP_ERR_INTERNAL', language());
    replaceChildren(root, el('div', { class: 'boot' },
      el('p', { class: 'form-error' }, message),
      el('button', { class: 'btn btn-primary', type: 'button', onclick: () => void resume() }, t('tryAgain'))));
    return;
  }
  endSession();
  // The account's language (its choice, else --lang, else the browser's) before anything is drawn.
  redrawOnLanguageChange = false;
  // An account that chose no language keeps the one picked on this browser's login page, if any.
  const effective = me.languageChoice ?? rememberedLanguage() ?? me.language;
  if (effective) useLanguage(effective);
  redrawOnLanguageChange = true;
  startSession(me);
  const target = parseRoute(location.hash).name === 'login' ? afterLogin : parseRoute(location.hash);
  afterLogin = { name: 'dashboard' };
  if (location.hash !== hashOf(target)) history.replaceState(null, '', hashOf(target));
  showRoute();
}

/** A new language (the settings page, the login page's switch): everything on screen is drawn again in it. */
let redrawOnLanguageChange = true;
onLanguageChange(() => {
  if (!redrawOnLanguageChange) return;
  if (!session) {
    if (parseRoute(location.hash).name === 'login' || !location.hash) showLogin();
    return;
  }
  session.frame.dispose();
  // The failed logins were shown (and acknowledged) once already: not again in the new language.
  session.app.me = { ...session.app.me, failedLogins: [] };
  session.frame = createAppFrame(session.app, () => void logout());
  replaceChildren(root, session.frame.root);
  showRoute();
});

onUnauthorized(() => expire());
window.addEventListener('hashchange', showRoute);
void resume();
