/**
 * Health checks for security and updates. The words say what a state means for the
 * person and never accuse: a remote-control tool or a program in a temporary folder
 * is something to ask about, not proof of anything.
 */
import type { Finding, HealthCheck } from './findings.js';
import { fitText } from './text.js';

const DAY = 86_400_000;

export const firewallOff: HealthCheck = (s) => {
  const f = s.security?.firewall;
  if (!f || f.state === 'unknown') return [];
  const offProfiles = f.profiles.filter((p) => !p.on).map((p) => p.name);
  if (f.state === 'on' && offProfiles.length === 0) return [];
  const some = f.state === 'on' && offProfiles.length > 0;
  return [{
    id: 'security.firewall-off',
    severity: 'warning',
    title: some ? `The firewall is off for the ${fitText(offProfiles.join(', '), 100)} network profile${offProfiles.length === 1 ? '' : 's'}` : 'The firewall is off',
    explanation: 'Nothing filters connections that arrive from the network: on a shared or public network, other machines there can reach this computer\'s shared folders and services.',
    evidence: [{ label: 'Firewall', value: fitText(`${f.tool ?? 'firewall'}: ${f.detail ?? 'off'}`, 200) }],
    nextStep: 'Ask whether it was turned off on purpose (some company tools manage it differently); otherwise turn it back on.',
  }];
};

export const antivirus: HealthCheck = (s) => {
  const av = s.security?.antivirus;
  if (!av?.reported) return [];
  if (av.products.length === 0) {
    return [{
      id: 'security.antivirus-missing',
      severity: 'warning',
      title: 'No antivirus is registered',
      explanation: 'Windows knows of no antivirus on this computer, so downloads and attachments are not checked for malware.',
      evidence: [{ label: 'Windows Security Center', value: 'no antivirus product' }],
      nextStep: 'Turn Microsoft Defender back on (Windows Security → Virus & threat protection) or install the company antivirus.',
    }];
  }
  // Windows marks Defender "off" whenever another antivirus is active: only no active product at all is a problem.
  const active = av.products.filter((p) => p.enabled === true);
  const findings: Finding[] = [];
  if (active.length === 0 && av.products.some((p) => p.enabled === false)) {
    findings.push({
      id: 'security.antivirus-off',
      severity: 'critical',
      title: 'The antivirus is turned off',
      explanation: 'An antivirus is installed but not protecting: downloads and attachments are not checked for malware.',
      evidence: av.products.slice(0, 4).map((p) => ({ label: fitText(p.name, 80), value: p.enabled === false ? 'off' : 'state unknown' })),
      nextStep: 'Turn real-time protection back on; if it turns itself off again, reinstall or repair the antivirus.',
    });
  }
  for (const p of active.filter((x) => x.upToDate === false)) {
    findings.push({
      id: `security.antivirus-outdated:${p.name}`,
      severity: 'warning',
      title: `${fitText(p.name, 120)} is not up to date`,
      explanation: 'The antivirus runs with old definitions, so it misses recent malware.',
      evidence: [{ label: fitText(p.name, 80), value: 'on, definitions out of date' }],
      nextStep: 'Update its definitions now (Windows Security → Virus & threat protection → Check for updates) and check the computer can reach the internet.',
    });
  }
  return findings;
};

export const diskNotEncrypted: HealthCheck = (s) => {
  const e = s.security?.encryption;
  if (!e || (e.state !== 'off' && e.state !== 'partial')) return [];
  // A laptop is the machine that gets lost or stolen with its data.
  const portable = s.battery?.present === true;
  const plain = e.volumes.filter((v) => v.encrypted === false).map((v) => v.mount ?? v.name);
  return [{
    id: 'security.disk-not-encrypted',
    severity: portable ? 'warning' : 'info',
    title: e.state === 'partial' ? 'Part of the disk is not encrypted' : 'The disk is not encrypted',
    explanation: portable
      ? 'If this laptop is lost or stolen, whoever has it can read the files on it without any password.'
      : 'Whoever gets hold of this disk can read its files without any password.',
    evidence: [{ label: 'Not encrypted', value: fitText(plain.join(', ') || 'system disk', 200) }, ...(e.tool ? [{ label: 'Checked with', value: fitText(e.tool, 200) }] : [])],
    nextStep: 'Check the company policy; encrypting (BitLocker, FileVault, LUKS) is planned with the person, after a backup.',
  }];
};

export const remoteTools: HealthCheck = (s) =>
  (s.security?.remoteTools ?? []).map((tool) => ({
    id: `security.remote-tool:${tool.name}`,
    severity: tool.running ? 'warning' as const : 'info' as const,
    title: `${fitText(tool.name, 64)} (remote control) is ${tool.running ? 'running' : 'installed'}`,
    explanation: 'This program lets someone see and use this computer from elsewhere. That is often expected (a company tool, someone who helps the person); people posing as support also ask to install such programs.',
    evidence: [{ label: 'Found', value: fitText(tool.evidence, 200) }],
    nextStep: 'Ask the person whether they know who uses it and when. If nobody recognises it, suggest uninstalling it.',
  }));

export const tempProcesses: HealthCheck = (s) => {
  const list = s.security?.tempProcesses ?? [];
  if (list.length === 0) return [];
  return [{
    id: 'security.temp-process',
    severity: 'warning',
    title: list.length === 1 ? `"${fitText(list[0]!.name, 100)}" runs from a temporary folder` : `${list.length} programs run from a temporary folder`,
    explanation: 'Installers and updaters run from temporary folders for a moment; a program that keeps running from there is unusual and worth a look.',
    evidence: list.slice(0, 4).map((p) => ({ label: fitText(`${p.name} (pid ${p.pid})`, 80), value: fitText(p.path, 200) })),
    nextStep: 'Ask the person whether they know it. If it is still there on a later refresh and nobody does, run an antivirus scan.',
  }];
};

export const updates: HealthCheck = (s, t) => {
  const u = s.updates;
  if (!u) return [];
  const findings: Finding[] = [];
  const p = u.pending;
  if (p.state === 'ok' && p.security !== null && p.security >= t.securityUpdatesWarnCount) {
    findings.push({
      id: 'updates.security-pending',
      severity: p.security >= t.securityUpdatesCriticalCount ? 'critical' : 'warning',
      title: `${p.security} security update${p.security === 1 ? ' is' : 's are'} waiting`,
      explanation: 'Fixes for known security holes are available but not installed; until they are, the computer stays open to them.',
      evidence: [
        { label: 'Security updates', value: `${p.security} of ${p.total ?? '?'} pending (${fitText(p.source ?? 'package manager', 80)})`, threshold: `warning ${t.securityUpdatesWarnCount}, critical ${t.securityUpdatesCriticalCount}` },
        ...(p.names.length ? [{ label: 'For example', value: fitText(p.names.slice(0, 6).join(', '), 200) }] : []),
      ],
      nextStep: 'Install the updates now or at the end of the day, then restart if asked.',
    });
  } else if (p.state === 'ok' && p.security === null && p.total !== null && p.total >= t.securityUpdatesWarnCount) {
    findings.push({
      id: 'updates.pending',
      severity: 'info',
      title: `${p.total} update${p.total === 1 ? ' is' : 's are'} available`,
      explanation: 'Updates are waiting; this system does not say which of them fix security holes.',
      evidence: [{ label: 'Pending', value: fitText(p.names.slice(0, 6).join(', ') || String(p.total), 200) }],
      nextStep: 'Install them at a convenient time.',
    });
  }
  if (u.rebootPending === true) {
    findings.push({
      id: 'updates.reboot-pending',
      severity: 'warning',
      title: 'A restart is needed to finish installing updates',
      explanation: 'Updates were installed but only take full effect after a restart; until then some programs can misbehave and some security fixes are not active.',
      evidence: [{ label: 'Why', value: fitText(u.rebootReasons.join(', ') || 'the system says a restart is required', 200) }],
      nextStep: 'Ask the person to save their work and restart at a convenient moment.',
    });
  }
  if (u.lastUpdateAt !== null && s.takenAt - u.lastUpdateAt >= t.lastUpdateWarnDays * DAY) {
    const days = Math.floor((s.takenAt - u.lastUpdateAt) / DAY);
    findings.push({
      id: 'updates.stale',
      severity: 'warning',
      title: `No update installed for ${days} days`,
      explanation: 'Updates seem to have stopped: the computer misses security fixes and bug fixes that came out since.',
      evidence: [{ label: 'Last update', value: fitText(`${new Date(u.lastUpdateAt).toISOString().slice(0, 10)} (${u.lastUpdateSource ?? 'system'})`, 200), threshold: `${t.lastUpdateWarnDays} days` }],
      nextStep: 'Check why updates stopped (disk full, no network, paused updates, an error in the update log) and run them.',
    });
  }
  return findings;
};

export const SECURITY_CHECKS: readonly HealthCheck[] = [firewallOff, antivirus, diskNotEncrypted, remoteTools, tempProcesses, updates];
