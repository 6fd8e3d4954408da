/**
 * Mail: which mail clients are here, the servers they are set up for where their
 * settings can be read (Thunderbird's prefs.js, Evolution's sources), and whether
 * each server resolves and accepts a TCP connection. Nothing is sent to it, no
 * password is read: only host names and ports.
 */
import type { MailSection } from '../../protocol/index.js';
import type { ProbeHost } from './probe-host.js';
import { clean } from './probe-text.js';
import type { ProcessInfo } from './remote-tools.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

type Server = MailSection['servers'][number];
export type ServerSetting = Pick<Server, 'client' | 'role' | 'host' | 'port'>;

interface KnownClient {
  readonly name: string;
  readonly process: RegExp;
  readonly paths: Partial<Record<'linux' | 'darwin' | 'win32', readonly string[]>>;
  /** Where its settings can be read from (Thunderbird and Evolution only). */
  readonly readable: boolean;
}

// "~" is the home folder, "PF\" both Program Files folders, "AD\" %APPDATA%.
const CLIENTS: readonly KnownClient[] = [
  { name: 'Thunderbird', process: /^thunderbird/i, readable: true, paths: { linux: ['/usr/bin/thunderbird', '/snap/bin/thunderbird', '~/.thunderbird'], darwin: ['/Applications/Thunderbird.app'], win32: ['PF\\Mozilla Thunderbird'] } }, // i18n-ignore: product names and install paths
  { name: 'Evolution', process: /^evolution$/i, readable: true, paths: { linux: ['/usr/bin/evolution'] } },
  { name: 'Outlook', process: /^(outlook|olk)$/i, readable: false, paths: { darwin: ['/Applications/Microsoft Outlook.app'], win32: ['PF\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE', 'PF\\Microsoft Office\\Office16\\OUTLOOK.EXE'] } }, // i18n-ignore: product names and install paths
  { name: 'Apple Mail', process: /^Mail$/, readable: false, paths: { darwin: ['~/Library/Mail'] } },
  { name: 'KMail', process: /^kmail$/i, readable: false, paths: { linux: ['/usr/bin/kmail'] } },
  { name: 'Geary', process: /^geary$/i, readable: false, paths: { linux: ['/usr/bin/geary'] } },
];

export async function probeMail(host: ProbeHost, processes: () => Promise<readonly ProcessInfo[]>, timeoutMs: number): Promise<MailSection> {
  const platform = host.platform === 'win32' || host.platform === 'darwin' ? host.platform : 'linux';
  const list = await processes().catch(() => [] as ProcessInfo[]);
  const expand = (p: string) => p.startsWith('~/') ? [`${host.home}${p.slice(1)}`]
    : p.startsWith('PF\\') ? [host.env.ProgramFiles, host.env['ProgramFiles(x86)']].filter(Boolean).map((r) => `${r}${p.slice(2)}`) : [p];
  const found = await Promise.all(CLIENTS.map(async (c) => {
    const running = list.some((p) => c.process.test(p.name.replace(/\.exe$/i, '')));
    const installed = running || (await Promise.all((c.paths[platform] ?? []).flatMap(expand).map((p) => host.exists(p)))).some(Boolean);
    return installed ? { client: c, running } : null;
  }));
  const clients = found.filter((f): f is NonNullable<typeof f> => f !== null);
  const names = new Set(clients.map((c) => c.client.name));
  const settings = [
    ...(names.has('Thunderbird') ? await thunderbirdServers(host) : []),
    ...(names.has('Evolution') ? await evolutionServers(host) : []),
  ];
  const unique = [...new Map(settings.map((s) => [`${s.host}:${s.port}`, s])).values()].slice(0, 6);
  return {
    clients: clients.map((c) => ({ name: c.client.name, running: c.running })),
    servers: await Promise.all(unique.map((s) => reach(host, s, timeoutMs))),
    unreadable: clients.filter((c) => !c.client.readable).map((c) => c.client.name),
  };
}

async function reach(host: ProbeHost, s: ServerSetting, timeoutMs: number): Promise<Server> {
  const started = host.now();
  const found = await host.lookup(s.host, timeoutMs);
  const base = { client: clean(s.client, 64), role: s.role, host: clean(s.host, 255), port: s.port };
  if (found.addresses.length === 0) return { ...base, resolved: false, reachable: null, rttMs: null, error: clean(found.error ?? probeWords('noAddress'), 255) };
  const left = Math.max(100, timeoutMs - (host.now() - started));
  const c = await host.connect(found.addresses[0]!, s.port, left);
  return { ...base, resolved: true, reachable: c.open, rttMs: c.open ? c.ms : null, error: c.open ? null : clean(c.error ?? probeWords('noAnswer'), 255) };
}

const THUNDERBIRD_DIRS: Record<string, readonly string[]> = {
  linux: ['~/.thunderbird', '~/snap/thunderbird/common/.thunderbird', '~/.var/app/org.mozilla.Thunderbird/.thunderbird'],
  darwin: ['~/Library/Thunderbird'],
  win32: ['AD\\Thunderbird'],
};

async function thunderbirdServers(host: ProbeHost): Promise<ServerSetting[]> {
  const platform = host.platform === 'win32' || host.platform === 'darwin' ? host.platform : 'linux';
  const sep = platform === 'win32' ? '\\' : '/';
  const dirs = (THUNDERBIRD_DIRS[platform] ?? []).map((d) => (d.startsWith('~/') ? `${host.home}${d.slice(1)}` : `${host.env.APPDATA ?? ''}${d.slice(2)}`));
  const out: ServerSetting[] = [];
  for (const dir of dirs) {
    const ini = await host.readText(`${dir}${sep}profiles.ini`, 64 * 1024);
    if (!ini) continue;
    for (const profile of parseProfilesIni(ini).slice(0, 3)) {
      const prefs = await host.readText(profile.relative ? `${dir}${sep}${profile.path.replace(/\//g, sep)}${sep}prefs.js` : `${profile.path}${sep}prefs.js`, 1024 * 1024);
      if (prefs) out.push(...parseThunderbirdPrefs(prefs));
    }
  }
  return out;
}

/** profiles.ini: each [ProfileN] section's Path and IsRelative. */
export function parseProfilesIni(ini: string): Array<{ path: string; relative: boolean }> {
  return ini.split(/^\[/m).filter((s) => /^Profile\d+\]/.test(s)).flatMap((s) => {
    const path = /^Path=(.+)$/m.exec(s)?.[1]?.trim();
    return path ? [{ path, relative: /^IsRelative=1/m.test(s) }] : [];
  });
}

const DEFAULT_PORTS: Record<string, [plain: number, ssl: number]> = { imap: [143, 993], pop3: [110, 995], smtp: [25, 465] };

/** prefs.js: mail.server.* (incoming, imap/pop3) and mail.smtpserver.* (outgoing) host names and ports. */
export function parseThunderbirdPrefs(prefs: string): ServerSetting[] {
  const values = new Map<string, string>();
  for (const m of prefs.matchAll(/^user_pref\("(mail\.(?:smtp)?server\.[^"]+)",\s*"?([^")]*)"?\);/gm)) values.set(m[1]!, m[2]!);
  const servers: ServerSetting[] = [];
  for (const [key, hostname] of values) {
    const m = /^mail\.(server|smtpserver)\.([^.]+)\.hostname$/.exec(key);
    if (!m || !hostname) continue;
    const prefix = `mail.${m[1]}.${m[2]}`;
    const type = m[1] === 'smtpserver' ? 'smtp' : values.get(`${prefix}.type`) ?? 'imap';
    const ports = DEFAULT_PORTS[type];
    if (!ports) continue; // Local Folders ("none"), feeds, news
    const ssl = (values.get(`${prefix}.socketType`) ?? values.get(`${prefix}.try_ssl`)) === '3';
    const port = Number(values.get(`${prefix}.port`)) || ports[ssl ? 1 : 0];
    if (port < 1 || port > 65535) continue;
    servers.push({ client: 'Thunderbird', role: type === 'smtp' ? 'outgoing' : 'incoming', host: hostname, port }); // i18n-ignore: product names and install paths
  }
  return servers;
}

async function evolutionServers(host: ProbeHost): Promise<ServerSetting[]> {
  const dir = `${host.home}/.config/evolution/sources`;
  const files = (await host.list(dir)).filter((f) => f.endsWith('.source')).slice(0, 50);
  const texts = await Promise.all(files.map((f) => host.readText(`${dir}/${f}`, 64 * 1024)));
  return texts.flatMap((t) => (t ? parseEvolutionSource(t) : []));
}

/** An Evolution .source file: a [Mail Account] or [Mail Transport] with an [Authentication] Host and Port. */
export function parseEvolutionSource(text: string): ServerSetting[] {
  const role = /^\[Mail Account\]/m.test(text) ? 'incoming' : /^\[Mail Transport\]/m.test(text) ? 'outgoing' : null;
  const auth = /^\[Authentication\]([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const hostname = /^Host=(.+)$/m.exec(auth)?.[1]?.trim();
  const port = Number(/^Port=(\d+)$/m.exec(auth)?.[1]);
  if (!role || !hostname || !(port >= 1 && port <= 65535)) return [];
  return [{ client: 'Evolution', role, host: hostname, port }]; // i18n-ignore: product names and install paths
}
