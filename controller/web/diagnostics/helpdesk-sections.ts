/**
 * The device page's cards for what people call about: printers, security, updates,
 * mail and the connection over time. Every value is peer text, set as text; "none
 * here" (no printer, no mail client) is shown as a plain fact, not an error.
 */
import type { Snapshot } from '../../../protocol/index.js';
import { el, icon } from '../ui/dom.js';
import { card, detail, facts } from '../ui/fact-card.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';
import { formats, wordsOf } from '../app/language.js';
import { helpdeskCatalog } from './helpdesk-catalog.js';
import { snapshotCatalog } from './snapshot-catalog.js';

const t = wordsOf(helpdeskCatalog);
const titles = wordsOf(snapshotCatalog);
const n = (value: number | null) => (value === null ? '—' : formats.number(value, 0));

const check = (ok: boolean, text: string) => el('span', { class: ok ? 'check-ok' : 'check-bad' }, icon(ok ? 'check' : 'alert', 14), text);
const unknown = (text = t('unknown')) => el('span', { class: 'muted' }, text);
const PRINTER_TONE: Record<string, BadgeTone> = { idle: 'good', printing: 'info', paused: 'warn', offline: 'bad', error: 'bad', unknown: 'neutral' };

export function printersCard(s: Snapshot): HTMLElement | null {
  const p = s.printers;
  if (!p) return null;
  if (!p.available) return card(titles('printers'), el('p', { class: 'fact' }, t('noPrintSystem')), detail(t('noPrintSystemDetail')));
  if (p.spooler === 'stopped') return card(titles('printers'), check(false, p.system === 'windows-spooler' ? t('spoolerStopped') : t('cupsStopped')));
  return card(titles('printers'),
    p.printers.length === 0 ? el('p', { class: 'fact' }, t('noPrinter'))
      : el('ul', { class: 'plain-list' }, ...p.printers.map((x) =>
        el('li', { 'data-testid': 'printer' },
          el('span', { class: 'mono' }, x.name), ' ', badge(t('printerState', { state: x.state }), PRINTER_TONE[x.state] ?? 'neutral'),
          x.isDefault ? el('span', { class: 'tag' }, t('defaultTag')) : null,
          x.detail ? el('div', { class: 'muted small' }, x.detail) : null))),
    facts(
      [t('defaultPrinter'), p.defaultPrinter ?? (p.printers.length ? el('span', { class: 'text-bad' }, t('noDefaultPrinter')) : t('noDefaultPrinter'))],
      [t('jobsWaiting'), p.jobCount === 0 ? t('noJobs') : el('ul', { class: 'plain-list' },
        ...p.jobs.map((j) => el('li', null, el('span', { class: 'mono' }, j.id), el('span', { class: 'muted small' }, j.submittedAt ? t('jobSince', { user: j.user, when: formats.dateTime(j.submittedAt) }) : ` ${j.user}`))),
        p.jobCount > p.jobs.length ? el('li', { class: 'muted small' }, t('moreJobs', { count: p.jobCount - p.jobs.length })) : null)],
    ));
}

export function securityCard(s: Snapshot): HTMLElement | null {
  const sec = s.security;
  if (!sec) return null;
  const fw = sec.firewall;
  const e = sec.encryption;
  return card(titles('security'),
    facts(
      [t('firewall'), fw.state === 'unknown' ? unknown(fw.detail ?? t('unknown')) : el('span', null, check(fw.state === 'on', fw.state === 'on' ? t('on') : t('off')), el('span', { class: 'muted small' }, ` ${[fw.tool, fw.detail].filter(Boolean).join(' · ')}`))],
      [t('antivirus'), !sec.antivirus.reported ? null : sec.antivirus.products.length === 0 ? check(false, t('noneRegistered'))
        : el('ul', { class: 'plain-list' }, ...sec.antivirus.products.map((a) => el('li', null, check(a.enabled !== false && a.upToDate !== false, t(a.upToDate === false ? 'antivirusStateOutdated' : 'antivirusState', { name: a.name, state: a.enabled === null ? 'unknown' : a.enabled ? 'on' : 'off' })))))],
      [t('encryption'), e.state === 'unknown' ? unknown(e.detail ?? t('unknown')) : el('span', null, check(e.state === 'on', e.state === 'on' ? t('encrypted') : e.state === 'partial' ? t('partlyEncrypted') : t('notEncrypted')),
        el('span', { class: 'muted small' }, ` ${e.volumes.map((v) => v.mount ?? v.name).join(', ')}${e.tool ? ` · ${e.tool}` : ''}`))],
      [t('remoteControl'), sec.remoteTools.length === 0 ? t('noneFound')
        : el('ul', { class: 'plain-list' }, ...sec.remoteTools.map((tool) => el('li', { 'data-testid': 'remote-tool' }, tool.name, ' ', badge(tool.running ? t('running') : t('installed'), tool.running ? 'warn' : 'neutral'), el('div', { class: 'muted small' }, tool.evidence))))],
      [t('tempFolder'), sec.tempProcesses.length === 0 ? null
        : el('ul', { class: 'plain-list' }, ...sec.tempProcesses.map((p) => el('li', null, `${p.name} (pid ${p.pid})`, el('div', { class: 'muted small mono' }, p.path))))],
    ));
}

export function updatesCard(s: Snapshot): HTMLElement | null {
  const u = s.updates;
  if (!u) return null;
  const q = u.pending;
  return card(titles('updates'),
    facts(
      [t('restartNeeded'), u.rebootPending === null ? unknown() : u.rebootPending ? check(false, u.rebootReasons.length ? t('yesBecause', { reasons: u.rebootReasons.join(', ') }) : t('yes')) : t('no')],
      [t('lastUpdate'), u.lastUpdateAt === null ? unknown() : `${formats.dateTime(u.lastUpdateAt)}${u.lastUpdateSource ? ` · ${u.lastUpdateSource}` : ''}`],
      [t('pending'), q.state === 'ok'
        ? el('span', null, q.total === null ? t('pendingUnknown') : q.security !== null ? t('pendingCountSecurity', { total: q.total, security: n(q.security) }) : t('pendingCount', { total: q.total }), el('div', { class: 'muted small' }, [q.source, q.names.slice(0, 8).join(', ')].filter(Boolean).join(' · ')))
        : unknown(q.state === 'checking' ? t('stillChecking') : q.detail ?? (q.state === 'failed' ? t('checkFailed') : t('notAvailableHere')))],
    ));
}

export function mailCard(s: Snapshot): HTMLElement | null {
  const m = s.mail;
  if (!m) return null;
  return card(titles('mail'),
    facts(
      [t('mailClients'), m.clients.length === 0 ? t('noMailClient') : m.clients.map((c) => (c.running ? t('clientRunning', { name: c.name }) : c.name)).join(', ')],
      [t('servers'), m.servers.length === 0 ? null : el('ul', { class: 'plain-list check-list' }, ...m.servers.map((x) =>
        el('li', { 'data-testid': 'mail-server' }, check(x.resolved && x.reachable === true, `${x.host}:${x.port}`),
          el('span', { class: 'muted small' }, t('serverLine', { client: x.client, role: x.role, status: !x.resolved ? t('doesNotResolve', { error: x.error ?? t('noAddress') }) : x.reachable ? t('answersIn', { ms: x.rttMs === null ? '?' : n(x.rttMs) }) : t('noAnswer', { error: x.error ?? t('timeout') }) })))))],
      [t('unreadable'), m.unreadable.length === 0 ? null : t('askWhichServer', { clients: m.unreadable.join(', ') })],
    ));
}

export function connectivityCard(s: Snapshot): HTMLElement | null {
  const c = s.connectivity;
  if (!c) return null;
  const sent = c.targets[0]?.sent ?? 0;
  return card(titles('connectivity'),
    c.targets.length === 0 ? detail(t('nothingToMeasure'))
      : facts(...c.targets.map((target): [string, HTMLElement] => [target.role === 'gateway' ? t('gateway') : t('controller'),
        target.role === 'gateway' && target.answered === 0
          ? el('span', null, el('span', { class: 'mono' }, target.host), el('div', { class: 'muted small' }, t('gatewaySilent', { ports: target.ports.join('/') })))
          : el('span', { 'data-testid': 'connectivity-target' }, check(target.lossPercent === 0, t('answered', { answered: n(target.answered), sent: n(target.sent), lost: formats.percent(target.lossPercent) })),
            el('div', { class: 'muted small' }, t('rtt', { host: target.host, min: n(target.rttMinMs), max: n(target.rttMaxMs), avg: n(target.rttAvgMs), jitter: n(target.jitterMs) })))])),
    detail(c.localDelayMs !== null
      ? t('probesLocal', { count: sent, interval: n(c.intervalMs), delay: n(c.localDelayMs) })
      : t('probes', { count: sent, interval: n(c.intervalMs) })));
}
