/**
 * The frame around every logged-in page: navigation with the organisation's
 * name, the signed-in technician, Logout, and the connection banner.
 */
import { ERRORS, errorWords } from '../../../protocol/index.js';
import { language, wordsOf } from '../app/language.js';
import { appFrameCatalog } from './app-frame-catalog.js';
import type { ConnectionState } from '../connection/console-socket.js';
import { el, icon, replaceChildren, type IconName } from '../ui/dom.js';
import type { AppContext } from '../app/page.js';
import type { Route } from '../app/router.js';
import { failedLoginsNotice } from './failed-logins-notice.js';

const t = wordsOf(appFrameCatalog);

export interface AppFrame {
  root: HTMLElement;
  /** Where pages mount. */
  main: HTMLElement;
  setActive(route: Route): void;
  dispose(): void;
}

type NavTarget = 'dashboard' | 'tickets' | 'knowledge' | 'reports' | 'fleet' | 'scripts' | 'jobs' | 'settings' | 'audit';

/** Pages that light up their parent's nav item. */
const PARENT: Partial<Record<Route['name'], NavTarget>> = { device: 'dashboard', enroll: 'fleet', script: 'scripts', job: 'jobs', ticket: 'tickets', newTicket: 'tickets', article: 'knowledge', articleEdit: 'knowledge' };

/** Builds the frame; `onLogout` runs when the technician clicks Logout. */
export function createAppFrame(app: AppContext, onLogout: () => void): AppFrame {
  const navLinks = new Map<NavTarget, HTMLAnchorElement>();
  const navItem = (target: NavTarget, href: string, iconName: IconName, label: string) => {
    const link = el('a', { class: 'nav-link', href }, icon(iconName, 18), el('span', null, label));
    navLinks.set(target, link);
    return link;
  };
  const initials = app.me.user.name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]?.toUpperCase() ?? '').join('') || '?';
  const logout = el('button', { class: 'btn btn-ghost btn-small', type: 'button', 'data-testid': 'logout', onclick: onLogout }, icon('logout'), t('logout'));
  const banner = el('div', { class: 'connection-banner', 'data-testid': 'connection-banner', role: 'alert', hidden: true });
  const main = el('main', { class: 'content', id: 'content' });

  const root = el('div', { class: 'app' },
    el('aside', { class: 'sidebar' },
      el('div', { class: 'brand' },
        el('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'R'),
        el('div', { class: 'brand-text' },
          el('span', { class: 'brand-org', 'data-testid': 'organization' }, app.me.organization),
          el('span', { class: 'brand-product' }, t('product')))),
      el('nav', { class: 'nav', 'aria-label': t('mainNav') },
        navItem('dashboard', '#/', 'monitor', t('navDashboard')),
        navItem('tickets', '#/tickets', 'inbox', t('navTickets')),
        navItem('knowledge', '#/knowledge', 'book', t('navKnowledge')),
        // The reports read every technician's figures and the people's answers: administrators only (the controller says so too).
        app.me.role === 'admin' ? navItem('reports', '#/reports', 'chart', t('navReports')) : null,
        navItem('fleet', '#/fleet', 'server', t('navFleet')),
        navItem('scripts', '#/scripts', 'terminal', t('navScripts')),
        navItem('jobs', '#/jobs', 'play', t('navJobs')),
        navItem('audit', '#/audit', 'list', t('navAudit')),
        navItem('settings', '#/settings', 'key', t('navSettings'))),
      el('div', { class: 'sidebar-user' },
        el('div', { class: 'user-row' },
          el('span', { class: 'avatar', 'aria-hidden': 'true' }, initials),
          el('div', { class: 'user-text' },
            el('span', { class: 'user-name', 'data-testid': 'user-name' }, app.me.user.name),
            el('span', { class: 'user-login' }, t('signedInAs', { username: app.me.user.username })))),
        logout)),
    el('div', { class: 'main-column' }, banner, failedLoginsNotice(app.me.failedLogins ?? []), main));

  let tick: ReturnType<typeof setInterval> | null = null;
  const showState = (state: ConnectionState) => {
    if (tick) clearInterval(tick);
    tick = null;
    renderBanner(banner, state, () => app.socket.retryNow());
    if (state.kind === 'reconnecting') tick = setInterval(() => renderBanner(banner, state, () => app.socket.retryNow()), 1000);
  };
  const stopState = app.socket.onState(showState);

  return {
    root,
    main,
    setActive(route) {
      for (const [target, link] of navLinks) {
        // A device page belongs to the Fleet when the device is enrolled.
        const managed = route.name === 'device' && app.store.get(route.deviceId)?.kind === 'managed';
        const parent = managed ? 'fleet' : PARENT[route.name];
        const active = target === route.name || target === parent;
        link.classList.toggle('active', active);
        if (active) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
    dispose() {
      stopState();
      if (tick) clearInterval(tick);
    },
  };
}

function renderBanner(banner: HTMLElement, state: ConnectionState, retry: () => void): void {
  if (state.kind === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
    banner.hidden = false;
    banner.dataset.tone = 'warn';
    replaceChildren(banner,
      el('span', { class: 'spinner spinner-small', 'aria-hidden': 'true' }),
      el('span', null, seconds > 0
        ? t('reconnectingIn', { seconds })
        : t('reconnecting')),
      seconds > 0 ? el('button', { class: 'btn btn-small btn-light', type: 'button', onclick: retry }, t('retryNow')) : null);
  } else if (state.kind === 'failed') {
    banner.hidden = false;
    banner.dataset.tone = 'bad';
    replaceChildren(banner, icon('alert'),
      el('span', null, t('failed', { reason: closeCodeText(state.code) })),
      el('button', { class: 'btn btn-small btn-light', type: 'button', onclick: () => location.reload() }, t('reload')));
  } else {
    banner.hidden = true;
    replaceChildren(banner);
  }
}

/** The catalog's words for a websocket close code. */
function closeCodeText(code: number): string {
  const entry = Object.entries(ERRORS).find(([, spec]) => spec.close === code);
  return entry ? errorWords(entry[0], language()) : t('closed');
}
