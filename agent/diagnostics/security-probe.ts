/**
 * Security facts: firewall, antivirus (where the platform keeps a registry of them),
 * disk encryption, remote-control tools and programs in temporary folders. Each
 * part reads what an unprivileged account can; what needs rights it lacks is
 * "unknown", with the reason.
 */
import type { SecuritySection } from '../../protocol/index.js';
import type { ProbeHost } from './probe-host.js';
import { asArray, clean, powerShellJson } from './probe-text.js';
import { findRemoteTools, findTempProcesses, type ProcessInfo } from './remote-tools.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

type Firewall = SecuritySection['firewall'];
type Encryption = SecuritySection['encryption'];

export async function probeSecurity(host: ProbeHost, processes: () => Promise<readonly ProcessInfo[]>, timeoutMs: number): Promise<SecuritySection> {
  const [base, list] = await Promise.all([
    host.platform === 'win32' ? windowsSecurity(host, timeoutMs) : host.platform === 'darwin' ? macSecurity(host, timeoutMs) : linuxSecurity(host, timeoutMs),
    processes().catch(() => [] as ProcessInfo[]),
  ]);
  const [remoteTools, tempProcesses] = await Promise.all([findRemoteTools(host, list), findTempProcesses(host, list)]);
  return { ...base, remoteTools, tempProcesses };
}

type Base = Pick<SecuritySection, 'firewall' | 'antivirus' | 'encryption'>;
const NO_AV: SecuritySection['antivirus'] = { reported: false, products: [] };

async function linuxSecurity(host: ProbeHost, timeoutMs: number): Promise<Base> {
  const [ufw, firewalld, nft, nftService, lsblk] = await Promise.all([
    host.readText('/etc/ufw/ufw.conf', 16 * 1024),
    host.run('firewall-cmd', ['--state'], timeoutMs),
    host.run('nft', ['list', 'ruleset'], timeoutMs),
    host.run('systemctl', ['is-active', 'nftables'], timeoutMs),
    host.run('lsblk', ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT'], timeoutMs),
  ]);
  return {
    firewall: linuxFirewall(ufw, firewalld, nft, nftService),
    antivirus: NO_AV,
    encryption: lsblk.kind === 'done' && lsblk.code === 0 ? parseLsblk(lsblk.stdout) : { state: 'unknown', tool: 'lsblk', volumes: [], detail: lsblk.kind === 'missing' ? probeWords('lsblkMissing') : probeWords('lsblkFailed') },
  };
}

type Outcome = Awaited<ReturnType<ProbeHost['run']>>;

/** ufw's own switch (ufw.conf, readable without root), else firewalld, else an nftables input hook. */
export function linuxFirewall(ufwConf: string | null, firewalld: Outcome, nft: Outcome, nftService: Outcome): Firewall {
  const found: Firewall[] = [];
  const enabled = ufwConf ? /^\s*ENABLED\s*=\s*(\w+)/m.exec(ufwConf)?.[1] : undefined;
  if (enabled) found.push({ state: enabled.toLowerCase() === 'yes' ? 'on' : 'off', tool: 'ufw', profiles: [], detail: `ENABLED=${clean(enabled, 16)} in /etc/ufw/ufw.conf` });
  if (firewalld.kind === 'done') found.push({ state: firewalld.stdout.trim() === 'running' ? 'on' : 'off', tool: 'firewalld', profiles: [], detail: clean(firewalld.stdout.trim() || firewalld.stderr.trim(), 255) });
  if (nft.kind === 'done' && nft.code === 0) {
    const input = /hook input/.test(nft.stdout);
    found.push({ state: input ? 'on' : 'off', tool: 'nftables', profiles: [], detail: input ? probeWords('nftInput') : probeWords('nftNoInput') });
  } else if (nftService.kind === 'done' && nftService.stdout.trim() !== '' && nft.kind !== 'missing') {
    // Without root nft cannot list the rules; the service says whether they were loaded at boot.
    const active = nftService.stdout.trim() === 'active';
    found.push({ state: active ? 'on' : 'unknown', tool: 'nftables', profiles: [], detail: probeWords(active ? 'nftService' : 'nftServiceNeedsRoot', { state: clean(nftService.stdout.trim(), 32) }) });
  }
  return found.find((f) => f.state === 'on') ?? found.find((f) => f.state === 'off') ?? found[0]
    ?? { state: 'unknown', tool: null, profiles: [], detail: probeWords('noFirewallTool') };
}

interface BlockDevice { name?: string; type?: string; fstype?: string | null; mountpoint?: string | null; mountpoints?: Array<string | null>; children?: BlockDevice[] }

/** `lsblk -J`: is each system mount (/, /home) on a dm-crypt (LUKS) device? */
export function parseLsblk(stdout: string): Encryption {
  const tree = (JSON.parse(stdout) as { blockdevices?: BlockDevice[] }).blockdevices ?? [];
  const volumes: Encryption['volumes'] = [];
  const walk = (node: BlockDevice, crypt: boolean) => {
    const inCrypt = crypt || node.type === 'crypt';
    const mounts = [node.mountpoint, ...(node.mountpoints ?? [])].filter((m): m is string => typeof m === 'string');
    for (const mount of new Set(mounts)) if (mount === '/' || mount === '/home') volumes.push({ name: clean(node.name, 128), mount: clean(mount, 255), encrypted: inCrypt });
    for (const child of node.children ?? []) walk(child, inCrypt);
  };
  for (const node of tree) walk(node, false);
  return { ...encryptionState(volumes.slice(0, 8)), tool: 'lsblk (LUKS)' };
}

function encryptionState(volumes: Encryption['volumes']): Omit<Encryption, 'tool'> {
  if (volumes.length === 0) return { state: 'unknown', volumes, detail: probeWords('notBlockDevice') };
  const on = volumes.filter((v) => v.encrypted === true).length;
  const known = volumes.filter((v) => v.encrypted !== null).length;
  const state = known === 0 ? 'unknown' : on === volumes.length ? 'on' : on === 0 && known === volumes.length ? 'off' : 'partial';
  return { state, volumes, detail: null };
}

async function macSecurity(host: ProbeHost, timeoutMs: number): Promise<Base> {
  const [fw, fde] = await Promise.all([
    host.run('/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate'], timeoutMs),
    host.run('fdesetup', ['status'], timeoutMs),
  ]);
  return { firewall: parseSocketFilterFw(fw), antivirus: NO_AV, encryption: parseFdesetup(fde) };
}

export function parseSocketFilterFw(result: Outcome): Firewall {
  if (result.kind !== 'done') return { state: 'unknown', tool: 'socketfilterfw', profiles: [], detail: result.kind === 'missing' ? probeWords('notFound') : result.error };
  const state = /State = ([0-9])/.exec(result.stdout)?.[1];
  return { state: state === undefined ? 'unknown' : state === '0' ? 'off' : 'on', tool: probeWords('macFirewall'), profiles: [], detail: clean(result.stdout.trim(), 255) };
}

export function parseFdesetup(result: Outcome): Encryption {
  const tool = 'fdesetup (FileVault)';
  if (result.kind !== 'done') return { state: 'unknown', tool, volumes: [], detail: result.kind === 'missing' ? probeWords('notFound') : result.error };
  const out = result.stdout;
  const state = /in progress/i.test(out) ? 'partial' : /FileVault is On/.test(out) ? 'on' : /FileVault is Off/.test(out) ? 'off' : 'unknown';
  return { state, tool, volumes: [{ name: 'system volume', mount: '/', encrypted: state === 'unknown' ? null : state === 'on' }], detail: clean(out.trim().split('\n')[0], 255) };
}

/** Firewall profiles, Security Center's antivirus list, BitLocker: one PowerShell start. */
export const WINDOWS_SECURITY_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'", // i18n-ignore: PowerShell code
  '$out = @{ firewall = @(); antivirus = $null; bitlocker = $null; bitlockerError = $null; systemDriveProtection = $null }', // i18n-ignore: PowerShell code
  "$out.firewall = @(Get-NetFirewallProfile | Select-Object Name, @{n='Enabled';e={[string]$_.Enabled}})", // i18n-ignore: PowerShell code
  '$av = Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct', // i18n-ignore: PowerShell code
  'if ($?) { $out.antivirus = @($av | Select-Object -First 8 displayName, productState) }', // i18n-ignore: PowerShell code
  "try { $out.bitlocker = @(Get-BitLockerVolume -ErrorAction Stop | Select-Object -First 8 MountPoint, @{n='Protection';e={[string]$_.ProtectionStatus}}, @{n='Status';e={[string]$_.VolumeStatus}}) }", // i18n-ignore: PowerShell code
  'catch { $out.bitlockerError = $_.Exception.Message', // i18n-ignore: PowerShell code
  // Without administrator rights, Explorer's property still says whether the system drive is protected. // i18n-ignore: PowerShell code
  "  $out.systemDriveProtection = (New-Object -ComObject Shell.Application).NameSpace($env:SystemDrive).Self.ExtendedProperty('System.Volume.BitLockerProtection') }", // i18n-ignore: PowerShell code
  '$out | ConvertTo-Json -Depth 4 -Compress', // i18n-ignore: PowerShell code
].join('\n');

async function windowsSecurity(host: ProbeHost, timeoutMs: number): Promise<Base> {
  return parseWindowsSecurity(await powerShellJson(host, WINDOWS_SECURITY_SCRIPT, timeoutMs));
}

export function parseWindowsSecurity(json: unknown): Base {
  const data = (json ?? {}) as Record<string, unknown>;
  const profiles = asArray(data.firewall).map((p) => ({ name: clean(p.Name, 64), on: String(p.Enabled) === 'True' || p.Enabled === true || p.Enabled === 1 }));
  const firewall: Firewall = profiles.length === 0
    ? { state: 'unknown', tool: probeWords('windowsFirewall'), profiles: [], detail: probeWords('firewallNoAnswer') }
    : { state: profiles.some((p) => p.on) ? 'on' : 'off', tool: probeWords('windowsFirewall'), profiles: profiles.slice(0, 8), detail: profiles.map((p) => `${p.name} ${p.on ? 'on' : 'off'}`).join(', ') };
  const antivirus = data.antivirus === null || data.antivirus === undefined
    ? NO_AV
    : { reported: true, products: asArray(data.antivirus).slice(0, 8).map((p) => ({ name: clean(p.displayName || probeWords('unnamedAntivirus'), 128), ...decodeProductState(Number(p.productState)) })) };
  return { firewall, antivirus, encryption: windowsEncryption(data) };
}

/**
 * Security Center's productState: the second byte says whether the scanner is on
 * (0x10 set), the third whether its definitions are current (0x00) or old (0x10).
 */
export function decodeProductState(state: number): { enabled: boolean | null; upToDate: boolean | null } {
  if (!Number.isInteger(state) || state < 0) return { enabled: null, upToDate: null };
  return { enabled: ((state >> 8) & 0x10) !== 0, upToDate: (state & 0xff) === 0 };
}

// System.Volume.BitLockerProtection: 1 on, 2 off, 3 encrypting, 4 decrypting, 5 suspended, 6 locked, 8 waiting for activation.
const SHELL_PROTECTION: Record<number, boolean | null> = { 1: true, 2: false, 3: null, 4: null, 5: true, 6: true, 8: false };

function windowsEncryption(data: Record<string, unknown>): Encryption {
  const tool = 'BitLocker';
  if (data.bitlocker !== null && data.bitlocker !== undefined) {
    const volumes = asArray(data.bitlocker).slice(0, 8).map((v) => ({ name: clean(v.MountPoint, 128), mount: clean(v.MountPoint, 255), encrypted: String(v.Status) === 'FullyEncrypted' && String(v.Protection) === 'On' }));
    return { ...encryptionState(volumes), tool };
  }
  const shell = Number(data.systemDriveProtection);
  if (shell in SHELL_PROTECTION) {
    const encrypted = SHELL_PROTECTION[shell]!;
    return { ...encryptionState([{ name: probeWords('systemDrive'), mount: null, encrypted }]), tool, detail: encrypted === null ? probeWords('inProgress') : probeWords('systemDriveOnly') };
  }
  return { state: 'unknown', tool, volumes: [], detail: clean(data.bitlockerError ?? probeWords('bitlockerNoAnswer'), 255) };
}
