/** One device: what looks wrong first, then the remote shell (a workspace once one is asked for), the facts, the history, and ending the session. */
import { ApiError, api } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { DiagnosticsPanel } from '../diagnostics/diagnostics-panel.js';
import { renderDeviceSummary } from './device-summary.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { timeAgo } from '../ui/format.js';
import type { AppContext, Page } from '../app/page.js';
import { HistoryPanel } from '../diagnostics/history-panel.js';
import { ShellPanel } from '../shell/shell-panel.js';
import { badge } from '../ui/status-badge.js';
import { DEVICE_STATE_LABEL, deviceState, describeOs } from '../ui/wording.js';
import { renderManagedFacts } from './managed-facts.js';
import { revokeDevice } from '../fleet/revoke-device.js';
import { wordsOf } from '../app/language.js';
import { devicesCatalog } from './devices-catalog.js';
import { deviceRecordings } from '../tickets/recording-player.js';
import { ChatPanel } from '../chat/chat-panel.js';
import { FilePanel } from '../files/file-panel.js';
import { DeviceWorkspace } from './workspace.js';
import { deviceLabel } from './device-store.js';
import { createSuggestionsCard } from '../knowledge/suggestions-card.js';
import { fixTargets } from '../knowledge/ticket-knowledge.js';

const t = wordsOf(devicesCatalog);

const TONES = { online: 'good', offline: 'neutral', ended: 'warn' } as const;

/** Builds the device page for `deviceId`. */
export function createDevicePage(app: AppContext, deviceId: string): Page {
  const title = el('h1', { class: 'device-title' });
  const status = el('span', { class: 'device-badge' });
  const subtitle = el('p', { class: 'page-subtitle' });
  const summary = el('div', { class: 'summary-grid' });
  const endError = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const endButton = el('button', { class: 'btn btn-danger-outline', type: 'button', 'data-testid': 'end-session' }, icon('power'), t('endSupportSession'));
  const revokeButton = el('button', { class: 'btn btn-danger-outline', type: 'button', 'data-testid': 'revoke-device', hidden: true }, icon('power'), t('revokeDevice'));
  // An enrolled machine has no support link to bring it onto a ticket: its page opens one for it.
  const newTicket = el('a', { class: 'btn btn-secondary', href: `#/tickets/new/device/${encodeURIComponent(deviceId)}`, 'data-testid': 'device-new-ticket', hidden: true }, icon('plus'), t('newTicketForDevice'));
  const managed = el('section', { class: 'card managed-card', 'data-testid': 'managed-facts', hidden: true });
  const backLink = el('a', { class: 'back-link', href: '#/' }, icon('back'), t('allDevices'));
  const shell = new ShellPanel(deviceId, app.socket, app.store, { me: app.me.user.username });
  const diagnostics = new DiagnosticsPanel(deviceId, app.socket, app.store);
  const history = new HistoryPanel(deviceId, app.socket);
  const chat = new ChatPanel(deviceId, app);
  // Suggested articles under the findings: what the knowledge base knows about what this device shows.
  const suggestions = createSuggestionsCard(app, { deviceId, targets: () => fixTargets(app, [deviceId]) });
  const stopSuggestions = app.socket.on('device.diagnostics', (m) => void (m.deviceId === deviceId && suggestions.refresh()));
  const files = new FilePanel(deviceId, app);
  // Findings first; once a shell is asked for, the terminal becomes the main pane
  // with findings, chat, diagnostics and history in tabs beside it (see workspace.ts).
  // The connection summary is the fallback until the first snapshot arrives, and
  // keeps the session's own facts (local user, agent).
  const workspace = new DeviceWorkspace({
    shell: shell.root,
    findings: el('div', { class: 'findings-with-articles' }, diagnostics.findingsRoot, suggestions.root),
    // The chat and the files: what goes between the technician and the person, side by side.
    chat: [chat.root, files.root],
    diagnostics: [diagnostics.detailsRoot, managed,
      el('section', { class: 'connection-summary' },
        el('h2', { class: 'section-title' }, t('reportedAtConnect')), summary)],
    history: [history.root, deviceRecordings(deviceId, (id) => app.store.get(id)?.hostname ?? id)],
  });
  const body = workspace.root;
  const missing = el('div', { class: 'card empty', hidden: true });

  // The device is fetched in full (summary included); live changes update it, then a fresh copy is fetched.
  let found: 'loading' | 'yes' | 'no' | { failed: string } = 'loading';
  let refetchTimer: ReturnType<typeof setTimeout> | null = null;
  const load = async () => {
    try {
      found = (await app.store.load(deviceId)) ? 'yes' : 'no';
    } catch (err) {
      if (found !== 'yes') found = { failed: err instanceof ApiError ? err.message : t('deviceFailed') };
    }
    render();
  };
  const refetchSoon = () => {
    refetchTimer ??= setTimeout(() => {
      refetchTimer = null;
      void load();
    }, 500);
  };

  const render = () => {
    const device = app.store.view(deviceId);
    if (!device) {
      body.hidden = true;
      endButton.hidden = true;
      missing.hidden = false;
      title.textContent = found === 'no' ? t('notFound') : typeof found === 'object' ? t('notLoaded') : t('loadingDevice');
      replaceChildren(missing, found === 'no'
        ? el('p', null, t('unknownDevice'), el('a', { href: '#/' }, t('backToDevices')))
        : typeof found === 'object'
          ? el('p', { class: 'form-error' }, found.failed, ' ', el('button', { class: 'btn btn-secondary btn-small', type: 'button', onclick: () => void load() }, t('tryAgain')))
          : el('span', { class: 'spinner', 'aria-hidden': 'true' }));
      replaceChildren(status);
      subtitle.textContent = '';
      return;
    }
    const state = deviceState(device);
    document.title = t('pageTitle', { page: device.hostname, organization: app.me.organization });
    body.hidden = false;
    missing.hidden = true;
    const isManaged = device.kind === 'managed';
    title.textContent = deviceLabel(device);
    replaceChildren(status, device.revoked ? badge(t('revoked'), 'bad', 'device-status') : badge(DEVICE_STATE_LABEL[state], TONES[state], 'device-status'));
    replaceChildren(backLink, icon('back'), isManaged ? t('fleet') : t('allDevices'));
    backLink.setAttribute('href', isManaged ? '#/fleet' : '#/');
    revokeButton.hidden = !isManaged || Boolean(device.revoked) || app.me.role !== 'admin';
    newTicket.hidden = !isManaged || Boolean(device.revoked);
    // Chat needs a person's support session (CHAT_ERR_NO_SESSION): an enrolled machine has none to offer.
    chat.root.hidden = isManaged;
    renderManagedFacts(managed, device);
    const parts = [
      describeOs(device.summary),
      device.technician ? t('sessionWith', { name: device.technician.name }) : null,
      isManaged && device.name !== device.hostname ? device.hostname : null,
      isManaged && device.group ? t('group', { group: device.group }) : null,
      device.online ? null : t('lastSeen', { ago: timeAgo(device.lastSeen) }),
    ].filter((p): p is string => Boolean(p));
    subtitle.textContent = parts.join(' · ');
    // A technician ends their own sessions; an administrator anyone's (the controller enforces it).
    const mayEnd = app.me.role === 'admin' || device.technician?.username === app.me.user.username;
    endButton.hidden = isManaged || device.sessionStatus === 'ended' || !mayEnd;
    renderDeviceSummary(summary, device);
    diagnostics.render();
    workspace.refresh();
  };

  endButton.addEventListener('click', async () => {
    const device = app.store.view(deviceId);
    if (!device) return;
    const sure = await confirmDialog({
      title: t('endTitle'),
      body: t('endBody', { hostname: device.hostname }),
      confirmLabel: t('endSession'),
      danger: true,
    });
    if (!sure) return;
    endButton.disabled = true;
    endError.hidden = true;
    try {
      await api.endSession(deviceId);
    } catch (err) {
      endError.hidden = false;
      endError.textContent = err instanceof ApiError ? err.message : t('endFailed');
    } finally {
      endButton.disabled = false;
    }
  });

  revokeButton.addEventListener('click', async () => {
    const device = app.store.view(deviceId);
    if (!device) return;
    revokeButton.disabled = true;
    const message = await revokeDevice(device);
    revokeButton.disabled = false;
    endError.hidden = message === null;
    endError.textContent = message ?? '';
  });

  const stop = app.store.subscribe((change) => {
    if (change === null || (change.kind === 'update' && change.device.id === deviceId)) {
      render();
      refetchSoon();
    } else if (change.kind === 'removed' && change.deviceId === deviceId) {
      found = 'no';
      render();
    }
  });
  const ticker = setInterval(render, 30_000);
  render();
  void load();

  const header = el('header', { class: 'page-header' },
    el('div', { class: 'page-header-main' }, el('div', { class: 'title-row' }, title, status), subtitle, shell.presenceRoot),
    el('div', { class: 'actions' }, newTicket, endButton, revokeButton));
  const root = el('div', { class: 'page device-page' }, backLink, header, endError, missing, body);

  return {
    root,
    get title() {
      const device = app.store.view(deviceId);
      return device ? device.name ?? device.hostname : t('device');
    },
    dispose() {
      stop();
      clearInterval(ticker);
      if (refetchTimer) clearTimeout(refetchTimer);
      workspace.dispose();
      shell.dispose();
      diagnostics.dispose();
      history.dispose();
      chat.dispose();
      suggestions.dispose();
      stopSuggestions();
      files.dispose();
    },
  };
}
