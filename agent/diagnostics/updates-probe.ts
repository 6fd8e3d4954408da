/**
 * Updates and reboot: whether a restart is pending after updates, when the last
 * update was installed, and what is pending. The pending list is a slow question
 * (apt, dnf, Windows Update): it goes through a SlowCheck, so a snapshot never waits
 * long for it and later snapshots carry the answer.
 */
import type { UpdatesSection } from '../../protocol/index.js';
import type { ProbeHost } from './probe-host.js';
import { clean, powerShellJson, parseWindowsDate } from './probe-text.js';
import { SlowCheck } from './slow-check.js';
import { parseAptHistory, parseAptSimulation, parseDnfCheckUpdate, parseDnfSecurity, parseMacHistory, parseMacSoftwareUpdate, parseRpmLast, type Pending } from './updates-parsers.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

/** The slow check's own limit: past it the package manager is stopped and the failure kept for a while. */
const PENDING_LIMIT_MS = 120_000;
/**
 * The package manager starts this long after it is first asked for, at low priority: apt's
 * dependency solver takes whole seconds of processor, and the snapshot that asked must not
 * wait behind it. That snapshot says "checking"; the next ones have the answer.
 */
export const PENDING_START_DELAY_MS = 1500;

export class UpdatesProbe {
  private readonly pending: SlowCheck<Pending>;

  constructor(private readonly host: ProbeHost, startDelayMs = PENDING_START_DELAY_MS) {
    const later = () => new Promise<void>((resolve) => setTimeout(resolve, startDelayMs).unref?.());
    this.pending = new SlowCheck(() => later().then(() => this.pendingNow()), { keepMs: 6 * 3600_000, keepFailureMs: 10 * 60_000, now: () => host.now() });
  }

  /** Collects, waiting at most `pendingWaitMs` for the pending updates (else they say "checking"). */
  async collect(timeoutMs: number, pendingWaitMs: number, askPackageManager = true): Promise<UpdatesSection> {
    const none = { total: null, security: null, names: [], checkedAt: null, detail: null };
    if (!askPackageManager) {
      return { ...(await this.facts(timeoutMs)), pending: { state: 'unavailable', source: null, ...none, detail: probeWords('notAsked') } };
    }
    const [facts, pending] = await Promise.all([this.facts(timeoutMs), this.pending.get(pendingWaitMs)]);
    const pendingSection: UpdatesSection['pending'] =
      pending.state === 'checking' ? { state: 'checking', source: null, ...none, detail: probeWords('stillAsking') }
      : pending.state === 'failed' ? { state: 'failed', source: null, ...none, checkedAt: pending.checkedAt, detail: clean(pending.error, 255) }
      : pending.value.total === null ? { state: 'unavailable', source: pending.value.source, ...none, detail: pending.value.detail }
      : { state: 'ok', source: pending.value.source, total: pending.value.total, security: pending.value.security, names: pending.value.names.slice(0, 20).map((n) => clean(n, 128)), checkedAt: pending.checkedAt, detail: pending.value.detail };
    return { ...facts, pending: pendingSection };
  }

  private async facts(timeoutMs: number): Promise<Omit<UpdatesSection, 'pending'>> {
    const h = this.host;
    if (h.platform === 'win32') {
      const data = (await powerShellJson(h, WINDOWS_UPDATE_FACTS_SCRIPT, timeoutMs)) as { reboot?: unknown; lastHotfix?: unknown; lastHotfixId?: unknown } | null;
      const reasons = (Array.isArray(data?.reboot) ? data.reboot : typeof data?.reboot === 'string' ? [data.reboot] : []).map((r) => clean(r, 128)).slice(0, 8);
      const last = parseWindowsDate(data?.lastHotfix);
      return { rebootPending: reasons.length > 0, rebootReasons: reasons, lastUpdateAt: last, lastUpdateSource: last === null ? null : clean(`Get-HotFix ${data?.lastHotfixId ?? ''}`, 64) /* i18n-ignore: the command that told */ };
    }
    if (h.platform === 'darwin') {
      const history = await h.run('softwareupdate', ['--history'], timeoutMs);
      const last = history.kind === 'done' ? parseMacHistory(history.stdout) : null;
      return { rebootPending: null, rebootReasons: [], lastUpdateAt: last, lastUpdateSource: last === null ? null : 'softwareupdate --history' };
    }
    const [flag, pkgs, notifier, needsRestarting, kernel, apt] = await Promise.all([
      h.exists('/var/run/reboot-required'),
      h.readText('/var/run/reboot-required.pkgs', 16 * 1024),
      h.exists('/usr/share/update-notifier/notify-reboot-required'),
      h.run('needs-restarting', ['-r'], timeoutMs),
      h.run('uname', ['-r'], timeoutMs),
      h.readText('/var/log/apt/history.log', 4 * 1024 * 1024),
    ]);
    const reboot = await linuxReboot(h, { flag, pkgs, notifier, needsRestarting, kernel: kernel.kind === 'done' ? kernel.stdout.trim() : null });
    let last = apt === null ? null : parseAptHistory(apt);
    let source = last === null ? null : probeWords('aptHistory');
    if (last === null && apt === null) {
      const rpm = await h.run('rpm', ['-qa', '--last'], timeoutMs);
      last = rpm.kind === 'done' ? parseRpmLast(rpm.stdout) : null;
      source = last === null ? null : 'rpm --last';
    }
    return { ...reboot, lastUpdateAt: last, lastUpdateSource: source };
  }

  private async pendingNow(): Promise<Pending> {
    const h = this.host;
    if (h.platform === 'win32') {
      const data = (await powerShellJson(h, WINDOWS_PENDING_SCRIPT, PENDING_LIMIT_MS)) as { total?: unknown; security?: unknown; names?: unknown } | null;
      const names = Array.isArray(data?.names) ? data.names.map(String) : typeof data?.names === 'string' ? [data.names] : [];
      return { source: probeWords('windowsUpdateLastScan'), total: Number(data?.total) || 0, security: Number(data?.security) || 0, names, detail: null };
    }
    if (h.platform === 'darwin') {
      const prefs = await h.run('defaults', ['read', '/Library/Preferences/com.apple.SoftwareUpdate'], 5000);
      if (prefs.kind !== 'done' || prefs.code !== 0) return { source: 'softwareupdate', total: null, security: null, names: [], detail: probeWords('noBackgroundCheck') };
      return parseMacSoftwareUpdate(prefs.stdout);
    }
    const low = { lowPriority: true };
    const apt = await h.run('apt-get', ['-s', '-o', 'Debug::NoLocking=true', 'upgrade'], PENDING_LIMIT_MS, low); // i18n-ignore: apt's arguments
    if (apt.kind === 'done' && apt.code === 0) return parseAptSimulation(apt.stdout);
    if (apt.kind === 'failed') throw new Error(`apt-get -s upgrade: ${apt.error}`);
    const [security, all] = await Promise.all([
      h.run('dnf', ['-q', '--cacheonly', 'updateinfo', 'list', '--security', '--available'], PENDING_LIMIT_MS, low),
      h.run('dnf', ['-q', '--cacheonly', 'check-update'], PENDING_LIMIT_MS, low),
    ]);
    if (security.kind === 'done' && all.kind === 'done' && (all.code === 0 || all.code === 100)) {
      const names = parseDnfCheckUpdate(all.stdout);
      return { source: probeWords('dnfCached'), total: names.length, security: parseDnfSecurity(security.stdout), names, detail: null };
    }
    return { source: null, total: null, security: null, names: [], detail: apt.kind === 'missing' && security.kind === 'missing' ? probeWords('noAptDnf') : probeWords('packageManagerNoAnswer') };
  }
}

async function linuxReboot(h: ProbeHost, s: { flag: boolean; pkgs: string | null; notifier: boolean; needsRestarting: Awaited<ReturnType<ProbeHost['run']>>; kernel: string | null }): Promise<Pick<UpdatesSection, 'rebootPending' | 'rebootReasons'>> {
  if (s.flag) return { rebootPending: true, rebootReasons: (s.pkgs ?? '').split('\n').map((l) => clean(l, 128)).filter(Boolean).slice(0, 8) };
  if (s.needsRestarting.kind === 'done' && (s.needsRestarting.code === 0 || s.needsRestarting.code === 1)) {
    return { rebootPending: s.needsRestarting.code === 1, rebootReasons: s.needsRestarting.code === 1 ? [probeWords('needsRestarting')] : [] };
  }
  // A newer kernel installed in /boot than the one running: only a restart runs it.
  const newer = s.kernel ? newestKernel(await h.list('/boot')) : null;
  if (s.kernel && newer && newer !== s.kernel && compareVersions(newer, s.kernel) > 0) {
    return { rebootPending: true, rebootReasons: [clean(probeWords('kernelNewer', { newer, running: s.kernel }), 128)] };
  }
  // Without the flag's writer installed, its absence proves nothing.
  return { rebootPending: s.notifier ? false : null, rebootReasons: [] };
}

/** The highest version among /boot's vmlinuz-<version> files, or null (containers have none). */
export function newestKernel(files: readonly string[]): string | null {
  const versions = files.map((f) => /^vmlinuz-(.+)$/.exec(f)?.[1]).filter((v): v is string => Boolean(v));
  return versions.sort(compareVersions).pop() ?? null;
}

/** Natural order of version strings: 6.1.0-18 < 6.1.0-21 < 6.10.0-1. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export const WINDOWS_UPDATE_FACTS_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'", // i18n-ignore: PowerShell code
  '$r = @()', // i18n-ignore: PowerShell code
  "if (Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending') { $r += 'Component Based Servicing' }", // i18n-ignore: PowerShell code
  "if (Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired') { $r += 'Windows Update' }", // i18n-ignore: PowerShell code
  '$hf = Get-HotFix | Where-Object { $_.InstalledOn } | Sort-Object InstalledOn -Descending | Select-Object -First 1', // i18n-ignore: PowerShell code
  "@{ reboot = $r; lastHotfix = if ($hf) { $hf.InstalledOn.ToUniversalTime().ToString('o') } else { $null }; lastHotfixId = $hf.HotFixID } | ConvertTo-Json -Compress", // i18n-ignore: PowerShell code
].join('\n');

/** Offline search: Windows Update's last scan, without contacting Microsoft (an online search can take minutes). */
export const WINDOWS_PENDING_SCRIPT = [
  "$ErrorActionPreference = 'Stop'", // i18n-ignore: PowerShell code
  '$searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()', // i18n-ignore: PowerShell code
  '$searcher.Online = $false', // i18n-ignore: PowerShell code
  "$result = $searcher.Search(\"IsInstalled=0 and IsHidden=0 and Type='Software'\")", // i18n-ignore: PowerShell code
  "$u = @($result.Updates | ForEach-Object { @{ title = $_.Title; security = [bool]($_.Categories | Where-Object { $_.CategoryID -eq '0fa1201d-4330-4fa8-8ae9-b877473b6441' }) } })", // i18n-ignore: PowerShell code
  '@{ total = $u.Count; security = @($u | Where-Object { $_.security }).Count; names = @($u | Select-Object -First 20 | ForEach-Object { $_.title }) } | ConvertTo-Json -Compress', // i18n-ignore: PowerShell code
].join('\n');
