/**
 * Health checks for security and updates. The words say what a state means for the
 * person and never accuse: a remote-control tool or a program in a temporary folder
 * is something to ask about, not proof of anything.
 */
import type { Finding, HealthCheck } from './findings.js';
import { fitText } from './text.js';
import { wordsOf } from './check-words.js';
import { formatDateTime, formatNumber } from './i18n/format.js';
import { securityChecksCatalog } from './security-checks-catalog.js';

const words = wordsOf(securityChecksCatalog);

const DAY = 86_400_000;

export const firewallOff: HealthCheck = (s, _t, lang) => {
  const f = s.security?.firewall;
  if (!f || f.state === 'unknown') return [];
  const offProfiles = f.profiles.filter((p) => !p.on).map((p) => p.name);
  if (f.state === 'on' && offProfiles.length === 0) return [];
  const some = f.state === 'on' && offProfiles.length > 0;
  const w = words(lang);
  return [{
    id: 'security.firewall-off',
    severity: 'warning',
    title: w('firewallTitle', { scope: some ? 'some' : 'all', count: offProfiles.length, profiles: fitText(offProfiles.join(', '), 100) }),
    explanation: w('firewallExplanation'),
    evidence: [{ label: w('firewallLabel'), value: fitText(w('firewallValue', { tool: f.tool ?? w('firewallDefaultTool'), detail: f.detail ?? w('firewallDefaultDetail') }), 200) }],
    nextStep: w('firewallNextStep'),
  }];
};

export const antivirus: HealthCheck = (s, _t, lang) => {
  const av = s.security?.antivirus;
  if (!av?.reported) return [];
  const w = words(lang);
  if (av.products.length === 0) {
    return [{
      id: 'security.antivirus-missing',
      severity: 'warning',
      title: w('avMissingTitle'),
      explanation: w('avMissingExplanation'),
      evidence: [{ label: w('avMissingLabel'), value: w('avMissingValue') }],
      nextStep: w('avMissingNextStep'),
    }];
  }
  // Windows marks Defender "off" whenever another antivirus is active: only no active product at all is a problem.
  const active = av.products.filter((p) => p.enabled === true);
  const findings: Finding[] = [];
  if (active.length === 0 && av.products.some((p) => p.enabled === false)) {
    findings.push({
      id: 'security.antivirus-off',
      severity: 'critical',
      title: w('avOffTitle'),
      explanation: w('avOffExplanation'),
      evidence: av.products.slice(0, 4).map((p) => ({ label: fitText(p.name, 80), value: w('avOffValue', { state: p.enabled === false ? 'off' : 'unknown' }) })),
      nextStep: w('avOffNextStep'),
    });
  }
  for (const p of active.filter((x) => x.upToDate === false)) {
    findings.push({
      id: `security.antivirus-outdated:${p.name}`,
      severity: 'warning',
      title: w('avOutdatedTitle', { name: fitText(p.name, 120) }),
      explanation: w('avOutdatedExplanation'),
      evidence: [{ label: fitText(p.name, 80), value: w('avOutdatedValue') }],
      nextStep: w('avOutdatedNextStep'),
    });
  }
  return findings;
};

export const diskNotEncrypted: HealthCheck = (s, _t, lang) => {
  const e = s.security?.encryption;
  if (!e || (e.state !== 'off' && e.state !== 'partial')) return [];
  // A laptop is the machine that gets lost or stolen with its data.
  const portable = s.battery?.present === true;
  const plain = e.volumes.filter((v) => v.encrypted === false).map((v) => v.mount ?? v.name);
  const w = words(lang);
  return [{
    id: 'security.disk-not-encrypted',
    severity: portable ? 'warning' : 'info',
    title: w('encryptionTitle', { state: e.state }),
    explanation: w('encryptionExplanation', { portable: portable ? 'yes' : 'no' }),
    evidence: [
      { label: w('encryptionLabel'), value: fitText(plain.join(', ') || w('encryptionSystemDisk'), 200) },
      ...(e.tool ? [{ label: w('encryptionLabelTool'), value: fitText(e.tool, 200) }] : []),
    ],
    nextStep: w('encryptionNextStep'),
  }];
};

export const remoteTools: HealthCheck = (s, _t, lang) =>
  (s.security?.remoteTools ?? []).map((tool) => ({
    id: `security.remote-tool:${tool.name}`,
    severity: tool.running ? 'warning' as const : 'info' as const,
    title: words(lang)('remoteToolTitle', { name: fitText(tool.name, 64), running: tool.running ? 'yes' : 'no' }),
    explanation: words(lang)('remoteToolExplanation'),
    evidence: [{ label: words(lang)('remoteToolLabel'), value: fitText(tool.evidence, 200) }],
    nextStep: words(lang)('remoteToolNextStep'),
  }));

export const tempProcesses: HealthCheck = (s, _t, lang) => {
  const list = s.security?.tempProcesses ?? [];
  if (list.length === 0) return [];
  const w = words(lang);
  return [{
    id: 'security.temp-process',
    severity: 'warning',
    title: w('tempTitle', { count: list.length, name: fitText(list[0]!.name, 100) }),
    explanation: w('tempExplanation'),
    evidence: list.slice(0, 4).map((p) => ({ label: fitText(w('tempLabel', { name: p.name, pid: String(p.pid) }), 80), value: fitText(p.path, 200) })),
    nextStep: w('tempNextStep'),
  }];
};

export const updates: HealthCheck = (s, t, lang) => {
  const u = s.updates;
  if (!u) return [];
  const w = words(lang);
  const whole = (n: number) => formatNumber(n, lang, 0);
  const findings: Finding[] = [];
  const p = u.pending;
  if (p.state === 'ok' && p.security !== null && p.security >= t.securityUpdatesWarnCount) {
    findings.push({
      id: 'updates.security-pending',
      severity: p.security >= t.securityUpdatesCriticalCount ? 'critical' : 'warning',
      title: w('securityTitle', { count: p.security }),
      explanation: w('securityExplanation'),
      evidence: [
        {
          label: w('securityLabel'),
          value: w('securityValue', { security: whole(p.security), total: p.total === null ? '?' : whole(p.total), source: fitText(p.source ?? w('securityDefaultSource'), 80) }),
          threshold: w('securityThreshold', { warn: whole(t.securityUpdatesWarnCount), critical: whole(t.securityUpdatesCriticalCount) }),
        },
        ...(p.names.length ? [{ label: w('securityLabelExamples'), value: fitText(p.names.slice(0, 6).join(', '), 200) }] : []),
      ],
      nextStep: w('securityNextStep'),
    });
  } else if (p.state === 'ok' && p.security === null && p.total !== null && p.total >= t.securityUpdatesWarnCount) {
    findings.push({
      id: 'updates.pending',
      severity: 'info',
      title: w('pendingTitle', { count: p.total }),
      explanation: w('pendingExplanation'),
      evidence: [{ label: w('pendingLabel'), value: fitText(p.names.slice(0, 6).join(', ') || whole(p.total), 200) }],
      nextStep: w('pendingNextStep'),
    });
  }
  if (u.rebootPending === true) {
    findings.push({
      id: 'updates.reboot-pending',
      severity: 'warning',
      title: w('rebootTitle'),
      explanation: w('rebootExplanation'),
      evidence: [{ label: w('rebootLabel'), value: fitText(u.rebootReasons.join(', ') || w('rebootDefaultReason'), 200) }],
      nextStep: w('rebootNextStep'),
    });
  }
  if (u.lastUpdateAt !== null && s.takenAt - u.lastUpdateAt >= t.lastUpdateWarnDays * DAY) {
    const days = Math.floor((s.takenAt - u.lastUpdateAt) / DAY);
    findings.push({
      id: 'updates.stale',
      severity: 'warning',
      title: w('staleTitle', { days }),
      explanation: w('staleExplanation'),
      evidence: [{
        label: w('staleLabel'),
        value: fitText(w('staleValue', { date: formatDateTime(u.lastUpdateAt, lang, 'UTC'), source: u.lastUpdateSource ?? w('staleDefaultSource') }), 200),
        threshold: w('days', { days: t.lastUpdateWarnDays }),
      }],
      nextStep: w('staleNextStep'),
    });
  }
  return findings;
};

export const SECURITY_CHECKS: readonly HealthCheck[] = [firewallOff, antivirus, diskNotEncrypted, remoteTools, tempProcesses, updates];
