/** The report's sections for printers, security, updates, mail and connectivity (see report.ts for the rest). */
import { formatDateTime, formatNumber, formatPercent, translator, type Language, type Snapshot } from '../../protocol/index.js';
import { reportCatalog } from './report-catalog.js';

export interface ReportWriter {
  heading(title: string): void;
  row(label: string, value: string): void;
  bad(text: string): string;
  good(text: string): string;
}

export function writeHelpdeskSections(s: Snapshot, w: ReportWriter, language: Language): void {
  const t = translator(reportCatalog, language);
  const num = (value: number) => formatNumber(value, language, 0);
  const date = (at: number) => formatDateTime(at, language);
  const yesNo = (value: boolean | null, yes: string, no: string) => (value === null ? t('unknown') : value ? yes : no);
  const p = s.printers;
  if (p) {
    w.heading(t('printers'));
    if (!p.available) w.row(t('printing'), t('noPrintSystem'));
    else {
      const spooler = t('spooler', { state: p.spooler });
      w.row(t('service'), p.spooler === 'stopped' ? w.bad(spooler) : spooler);
      w.row(t('defaultPrinter'), p.defaultPrinter ?? (p.printers.length ? w.bad(t('noPrinter')) : t('noPrinter')));
      for (const x of p.printers) {
        const state = t('printerState', { state: x.state });
        w.row(x.name, `${x.state === 'offline' || x.state === 'paused' || x.state === 'error' ? w.bad(state) : state}${x.detail ? ` — ${x.detail}` : ''}`);
      }
      w.row(t('jobsWaiting'), num(p.jobCount));
      for (const j of p.jobs) w.row(`  ${j.id}`, j.submittedAt ? t('jobSince', { user: j.user, date: date(j.submittedAt) }) : j.user);
    }
  }
  const sec = s.security;
  if (sec) {
    w.heading(t('security'));
    const fw = sec.firewall;
    const fwState = fw.state === 'off' ? w.bad(t('off')) : fw.state === 'on' ? w.good(t('on')) : t('unknown');
    w.row(t('firewall'), `${fwState}${fw.tool ? ` (${fw.tool})` : ''}${fw.detail ? ` — ${fw.detail}` : ''}`);
    if (sec.antivirus.reported) {
      w.row(
        t('antivirus'),
        sec.antivirus.products.length === 0
          ? w.bad(t('noneRegistered'))
          : sec.antivirus.products
              .map((a) => t('antivirusProduct', { name: a.name, enabled: yesNo(a.enabled, t('on'), t('off')), current: yesNo(a.upToDate, t('upToDate'), t('outOfDate')) }))
              .join('; '),
      );
    }
    const e = sec.encryption;
    const volumes = e.volumes.map((v) => t('volume', { name: v.mount ?? v.name, encrypted: yesNo(v.encrypted, t('encrypted'), t('notEncrypted')) })).join(', ');
    w.row(t('encryption'), `${t('encryptionState', { state: e.state })}${e.tool ? ` (${e.tool})` : ''}${volumes ? ` — ${volumes}` : ''}${e.detail ? ` — ${e.detail}` : ''}`);
    w.row(t('remoteControl'), sec.remoteTools.length === 0 ? t('noneFound') : sec.remoteTools.map((r) => `${r.name} (${r.evidence})`).join('; '));
    if (sec.tempProcesses.length) w.row(t('fromTemp'), sec.tempProcesses.map((x) => `${x.name} (pid ${x.pid}) ${x.path}`).join('; '));
  }
  const u = s.updates;
  if (u) {
    w.heading(t('updates'));
    const restart = u.rebootPending === null ? t('unknown') : u.rebootPending ? w.bad(u.rebootReasons.length ? t('yesBecause', { reasons: u.rebootReasons.join(', ') }) : t('yes')) : t('no');
    w.row(t('restartNeeded'), restart);
    w.row(t('lastUpdate'), u.lastUpdateAt === null ? t('unknown') : t('lastUpdateValue', { date: date(u.lastUpdateAt), source: u.lastUpdateSource ?? t('systemSource') }));
    const q = u.pending;
    const source = q.source ?? t('packageManager');
    const total = q.total === null ? '?' : num(q.total);
    w.row(
      t('pending'),
      q.state === 'ok'
        ? q.security !== null
          ? t('pendingSecurity', { total, security: num(q.security), source })
          : t('pendingValue', { total, source })
        : `${t('pendingState', { state: q.state })}${q.detail ? ` — ${q.detail}` : ''}`,
    );
  }
  const m = s.mail;
  if (m) {
    w.heading(t('mail'));
    w.row(t('clients'), m.clients.length === 0 ? t('noneFound') : m.clients.map((c) => (c.running ? t('clientRunning', { name: c.name }) : c.name)).join(', '));
    for (const x of m.servers) {
      const result = !x.resolved
        ? w.bad(t('doesNotResolve', { error: x.error ?? '' }))
        : x.reachable
          ? w.good(t('answersIn', { ms: num(x.rttMs ?? 0) }))
          : w.bad(t('noAnswer', { error: x.error ?? '' }));
      w.row(`${x.client} ${x.role}`, `${x.host}:${x.port} ${result}`);
    }
    if (m.unreadable.length) w.row(t('notReadable'), t('askServer', { list: m.unreadable.join(', ') }));
  }
  const c = s.connectivity;
  if (c) {
    w.heading(t('connection'));
    if (c.targets.length === 0) w.row(t('series'), t('nothingToMeasure'));
    for (const x of c.targets) {
      const silent = x.role === 'gateway' && x.answered === 0;
      const ms = (value: number | null) => (value === null ? '—' : num(value));
      w.row(
        x.role === 'gateway' ? t('gateway') : t('controller'),
        silent
          ? t('silentGateway', { host: x.host, ports: x.ports.join('/') })
          : t('target', {
              host: x.host, answered: String(x.answered), sent: String(x.sent), loss: formatPercent(x.lossPercent, language),
              min: ms(x.rttMinMs), max: ms(x.rttMaxMs), avg: ms(x.rttAvgMs), jitter: ms(x.jitterMs),
            }),
      );
    }
  }
}
