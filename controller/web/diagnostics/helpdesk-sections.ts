/**
 * The device page's cards for what people call about: printers, security, updates,
 * mail and the connection over time. Every value is peer text, set as text; "none
 * here" (no printer, no mail client) is shown as a plain fact, not an error.
 */
import type { Snapshot } from '../../../protocol/index.js';
import { el, icon } from '../ui/dom.js';
import { card, detail, facts } from '../ui/fact-card.js';
import { formatDateTime } from '../ui/format.js';
import { badge, type BadgeTone } from '../ui/status-badge.js';

const check = (ok: boolean, text: string) => el('span', { class: ok ? 'check-ok' : 'check-bad' }, icon(ok ? 'check' : 'alert', 14), text);
const unknown = (text = 'Unknown') => el('span', { class: 'muted' }, text);
const PRINTER_TONE: Record<string, BadgeTone> = { idle: 'good', printing: 'info', paused: 'warn', offline: 'bad', error: 'bad', unknown: 'neutral' };

export function printersCard(s: Snapshot): HTMLElement | null {
  const p = s.printers;
  if (!p) return null;
  if (!p.available) return card('Printers', el('p', { class: 'fact' }, 'No print system on this computer'), detail('Neither CUPS nor a print spooler was found: nothing to check.'));
  if (p.spooler === 'stopped') return card('Printers', check(false, p.system === 'windows-spooler' ? 'The Print Spooler service is stopped' : 'The CUPS scheduler is not running'));
  return card('Printers',
    p.printers.length === 0 ? el('p', { class: 'fact' }, 'No printer installed')
      : el('ul', { class: 'plain-list' }, ...p.printers.map((x) =>
        el('li', { 'data-testid': 'printer' },
          el('span', { class: 'mono' }, x.name), ' ', badge(x.state, PRINTER_TONE[x.state] ?? 'neutral'),
          x.isDefault ? el('span', { class: 'tag' }, 'default') : null,
          x.detail ? el('div', { class: 'muted small' }, x.detail) : null))),
    facts(
      ['Default printer', p.defaultPrinter ?? (p.printers.length ? el('span', { class: 'text-bad' }, 'None') : 'None')],
      ['Jobs waiting', p.jobCount === 0 ? 'None' : el('ul', { class: 'plain-list' },
        ...p.jobs.map((j) => el('li', null, el('span', { class: 'mono' }, j.id), el('span', { class: 'muted small' }, ` ${j.user}${j.submittedAt ? ` · since ${formatDateTime(j.submittedAt)}` : ''}`))),
        p.jobCount > p.jobs.length ? el('li', { class: 'muted small' }, `and ${p.jobCount - p.jobs.length} more`) : null)],
    ));
}

export function securityCard(s: Snapshot): HTMLElement | null {
  const sec = s.security;
  if (!sec) return null;
  const fw = sec.firewall;
  const e = sec.encryption;
  return card('Security',
    facts(
      ['Firewall', fw.state === 'unknown' ? unknown(fw.detail ?? 'Unknown') : el('span', null, check(fw.state === 'on', fw.state === 'on' ? 'On' : 'Off'), el('span', { class: 'muted small' }, ` ${[fw.tool, fw.detail].filter(Boolean).join(' · ')}`))],
      ['Antivirus', !sec.antivirus.reported ? null : sec.antivirus.products.length === 0 ? check(false, 'None registered')
        : el('ul', { class: 'plain-list' }, ...sec.antivirus.products.map((a) => el('li', null, check(a.enabled !== false && a.upToDate !== false, `${a.name}: ${a.enabled === null ? 'state unknown' : a.enabled ? 'on' : 'off'}${a.upToDate === false ? ', out of date' : ''}`))))],
      ['Disk encryption', e.state === 'unknown' ? unknown(e.detail ?? 'Unknown') : el('span', null, check(e.state === 'on', e.state === 'on' ? 'Encrypted' : e.state === 'partial' ? 'Partly encrypted' : 'Not encrypted'),
        el('span', { class: 'muted small' }, ` ${e.volumes.map((v) => v.mount ?? v.name).join(', ')}${e.tool ? ` · ${e.tool}` : ''}`))],
      ['Remote control', sec.remoteTools.length === 0 ? 'None found'
        : el('ul', { class: 'plain-list' }, ...sec.remoteTools.map((t) => el('li', { 'data-testid': 'remote-tool' }, t.name, ' ', badge(t.running ? 'running' : 'installed', t.running ? 'warn' : 'neutral'), el('div', { class: 'muted small' }, t.evidence))))],
      ['From a temp folder', sec.tempProcesses.length === 0 ? null
        : el('ul', { class: 'plain-list' }, ...sec.tempProcesses.map((t) => el('li', null, `${t.name} (pid ${t.pid})`, el('div', { class: 'muted small mono' }, t.path))))],
    ));
}

export function updatesCard(s: Snapshot): HTMLElement | null {
  const u = s.updates;
  if (!u) return null;
  const q = u.pending;
  return card('Updates',
    facts(
      ['Restart needed', u.rebootPending === null ? unknown() : u.rebootPending ? check(false, `Yes${u.rebootReasons.length ? ` (${u.rebootReasons.join(', ')})` : ''}`) : 'No'],
      ['Last update', u.lastUpdateAt === null ? unknown() : `${formatDateTime(u.lastUpdateAt)}${u.lastUpdateSource ? ` · ${u.lastUpdateSource}` : ''}`],
      ['Pending', q.state === 'ok'
        ? el('span', null, `${q.total ?? '?'} update${q.total === 1 ? '' : 's'}${q.security !== null ? `, ${q.security} for security` : ''}`, el('div', { class: 'muted small' }, [q.source, q.names.slice(0, 8).join(', ')].filter(Boolean).join(' · ')))
        : unknown(q.state === 'checking' ? 'Still checking: refresh in a minute' : q.detail ?? (q.state === 'failed' ? 'The check failed' : 'Not available here'))],
    ));
}

export function mailCard(s: Snapshot): HTMLElement | null {
  const m = s.mail;
  if (!m) return null;
  return card('Mail',
    facts(
      ['Mail clients', m.clients.length === 0 ? 'None found' : m.clients.map((c) => `${c.name}${c.running ? ' (running)' : ''}`).join(', ')],
      ['Servers', m.servers.length === 0 ? null : el('ul', { class: 'plain-list check-list' }, ...m.servers.map((x) =>
        el('li', { 'data-testid': 'mail-server' }, check(x.resolved && x.reachable === true, `${x.host}:${x.port}`),
          el('span', { class: 'muted small' }, ` ${x.client}, ${x.role} · ${!x.resolved ? `does not resolve (${x.error ?? 'no address'})` : x.reachable ? `answers in ${x.rttMs ?? '?'} ms` : `no answer (${x.error ?? 'timeout'})`}`))))],
      ['Settings not readable', m.unreadable.length === 0 ? null : `${m.unreadable.join(', ')}: ask which server it uses`],
    ));
}

export function connectivityCard(s: Snapshot): HTMLElement | null {
  const c = s.connectivity;
  if (!c) return null;
  return card('Connection over time',
    c.targets.length === 0 ? detail('Nothing to measure: no gateway and no controller.')
      : facts(...c.targets.map((t): [string, HTMLElement] => [t.role === 'gateway' ? 'Gateway' : 'Controller',
        t.role === 'gateway' && t.answered === 0
          ? el('span', null, el('span', { class: 'mono' }, t.host), el('div', { class: 'muted small' }, `No answer on ports ${t.ports.join('/')}: many routers drop such probes.`))
          : el('span', { 'data-testid': 'connectivity-target' }, check(t.lossPercent === 0, `${t.answered}/${t.sent} answered (${t.lossPercent} % lost)`),
            el('div', { class: 'muted small' }, `${t.host} · ${t.rttMinMs}–${t.rttMaxMs} ms, average ${t.rttAvgMs} ms, jitter ${t.jitterMs ?? '—'} ms`))])),
    detail(`${c.targets[0]?.sent ?? 0} TCP connects, one every ${c.intervalMs} ms${c.localDelayMs !== null ? `; this computer's own delay ${c.localDelayMs} ms` : ''}.`));
}
