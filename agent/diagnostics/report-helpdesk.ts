/** The report's sections for printers, security, updates, mail and connectivity (see report.ts for the rest). */
import type { Snapshot } from '../../protocol/index.js';

export interface ReportWriter {
  heading(title: string): void;
  row(label: string, value: string): void;
  bad(text: string): string;
  good(text: string): string;
}

const yesNo = (value: boolean | null, yes: string, no: string) => (value === null ? 'unknown' : value ? yes : no);
const day = (at: number) => new Date(at).toISOString().slice(0, 10);

export function writeHelpdeskSections(s: Snapshot, w: ReportWriter): void {
  const p = s.printers;
  if (p) {
    w.heading('Printers');
    if (!p.available) w.row('Printing', 'no print system on this computer');
    else {
      w.row('Service', p.spooler === 'stopped' ? w.bad('stopped') : p.spooler);
      w.row('Default', p.defaultPrinter ?? (p.printers.length ? w.bad('none') : 'none'));
      for (const x of p.printers) w.row(x.name, `${x.state === 'offline' || x.state === 'paused' || x.state === 'error' ? w.bad(x.state) : x.state}${x.detail ? ` — ${x.detail}` : ''}`);
      w.row('Jobs waiting', String(p.jobCount));
      for (const j of p.jobs) w.row(`  ${j.id}`, `${j.user}${j.submittedAt ? `, since ${new Date(j.submittedAt).toLocaleString()}` : ''}`);
    }
  }
  const sec = s.security;
  if (sec) {
    w.heading('Security');
    const fw = sec.firewall;
    w.row('Firewall', `${fw.state === 'off' ? w.bad('off') : fw.state === 'on' ? w.good('on') : 'unknown'}${fw.tool ? ` (${fw.tool})` : ''}${fw.detail ? ` — ${fw.detail}` : ''}`);
    if (sec.antivirus.reported) {
      w.row('Antivirus', sec.antivirus.products.length === 0 ? w.bad('none registered') : sec.antivirus.products.map((a) => `${a.name}: ${yesNo(a.enabled, 'on', 'off')}, ${yesNo(a.upToDate, 'up to date', 'out of date')}`).join('; '));
    }
    const e = sec.encryption;
    w.row('Encryption', `${e.state}${e.tool ? ` (${e.tool})` : ''}${e.volumes.length ? ` — ${e.volumes.map((v) => `${v.mount ?? v.name}: ${yesNo(v.encrypted, 'encrypted', 'not encrypted')}`).join(', ')}` : ''}${e.detail ? ` — ${e.detail}` : ''}`);
    w.row('Remote control', sec.remoteTools.length === 0 ? 'none found' : sec.remoteTools.map((t) => `${t.name} (${t.evidence})`).join('; '));
    if (sec.tempProcesses.length) w.row('From temp', sec.tempProcesses.map((t) => `${t.name} (pid ${t.pid}) ${t.path}`).join('; '));
  }
  const u = s.updates;
  if (u) {
    w.heading('Updates');
    w.row('Restart needed', u.rebootPending === null ? 'unknown' : u.rebootPending ? w.bad(`yes${u.rebootReasons.length ? ` (${u.rebootReasons.join(', ')})` : ''}`) : 'no');
    w.row('Last update', u.lastUpdateAt === null ? 'unknown' : `${day(u.lastUpdateAt)} (${u.lastUpdateSource ?? 'system'})`);
    const q = u.pending;
    w.row('Pending', q.state === 'ok' ? `${q.total ?? '?'}${q.security !== null ? `, of which ${q.security} security` : ''} (${q.source ?? 'package manager'})` : `${q.state}${q.detail ? ` — ${q.detail}` : ''}`);
  }
  const m = s.mail;
  if (m) {
    w.heading('Mail');
    w.row('Clients', m.clients.length === 0 ? 'none found' : m.clients.map((c) => `${c.name}${c.running ? ' (running)' : ''}`).join(', '));
    for (const x of m.servers) {
      w.row(`${x.client} ${x.role}`, `${x.host}:${x.port} ${!x.resolved ? w.bad(`does not resolve (${x.error})`) : x.reachable ? w.good(`answers in ${x.rttMs} ms`) : w.bad(`no answer (${x.error})`)}`);
    }
    if (m.unreadable.length) w.row('Not readable', `${m.unreadable.join(', ')}: ask which server it uses`);
  }
  const c = s.connectivity;
  if (c) {
    w.heading('Connection over time');
    if (c.targets.length === 0) w.row('Series', 'nothing to measure (no gateway, no controller)');
    for (const t of c.targets) {
      const silent = t.role === 'gateway' && t.answered === 0;
      w.row(t.role === 'gateway' ? 'Gateway' : 'Controller', silent
        ? `${t.host}: no answer on ports ${t.ports.join('/')} (many routers drop such probes)`
        : `${t.host}: ${t.answered}/${t.sent} answered (${t.lossPercent} % lost), ${t.rttMinMs}–${t.rttMaxMs} ms, avg ${t.rttAvgMs} ms, jitter ${t.jitterMs ?? '—'} ms`);
    }
  }
}
