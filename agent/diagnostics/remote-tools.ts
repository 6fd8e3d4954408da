/**
 * Remote-control tools found running or installed, and programs running from a
 * temporary folder: facts for the technician to ask about, read from the process
 * list and a few well-known install folders.
 */
import type { SecuritySection } from '../../protocol/index.js';
import type { ProbeHost } from './probe-host.js';
import { clean } from './probe-text.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

/** One row of the process list (shared with the processes probe: it is listed once per snapshot). */
export interface ProcessInfo {
  readonly pid: number;
  readonly name: string;
  /** The executable's folder as the process list gives it ('' when unknown). */
  readonly path: string;
}

interface KnownTool {
  readonly name: string;
  readonly process: RegExp;
  readonly paths: Partial<Record<'linux' | 'darwin' | 'win32', readonly string[]>>;
}

// Install folders on Windows are under %ProgramFiles% or %ProgramFiles(x86)%: "PF\..." stands for both.
export const KNOWN_TOOLS: readonly KnownTool[] = [
  { name: 'TeamViewer', process: /^teamviewer/i, paths: { linux: ['/opt/teamviewer'], darwin: ['/Applications/TeamViewer.app'], win32: ['PF\\TeamViewer'] } },
  { name: 'AnyDesk', process: /^anydesk/i, paths: { linux: ['/usr/bin/anydesk', '/opt/anydesk'], darwin: ['/Applications/AnyDesk.app'], win32: ['PF\\AnyDesk'] } },
  { name: 'RustDesk', process: /^rustdesk/i, paths: { linux: ['/usr/bin/rustdesk', '/usr/share/rustdesk'], darwin: ['/Applications/RustDesk.app'], win32: ['PF\\RustDesk'] } },
  { name: 'VNC server', process: /^(x11vnc|xvnc|xtigervnc|vncserver[\w-]*|winvnc\d*|tvnserver|uvnc_service)$/i, paths: { linux: ['/usr/bin/x11vnc', '/usr/bin/vncserver', '/usr/bin/Xtigervnc'], win32: ['PF\\RealVNC\\VNC Server', 'PF\\TightVNC', 'PF\\uvnc bvba\\UltraVNC'] } }, // i18n-ignore: product names and install paths
  { name: 'Chrome Remote Desktop', process: /^(remoting_host|chrome-remote-desktop-host)$/i, paths: { linux: ['/opt/google/chrome-remote-desktop'], win32: ['PF\\Google\\Chrome Remote Desktop'] } }, // i18n-ignore: product names and install paths
  { name: 'Splashtop', process: /^(srservice|srmanager|srserver|splashtop)/i, paths: { darwin: ['/Applications/Splashtop Streamer.app'], win32: ['PF\\Splashtop\\Splashtop Remote\\Server'] } }, // i18n-ignore: product names and install paths
  { name: 'ScreenConnect', process: /^(screenconnect|connectwisecontrol)/i, paths: {} },
  { name: 'LogMeIn', process: /^(logmein|lmiguardian)/i, paths: { win32: ['PF\\LogMeIn'] } },
  { name: 'NoMachine', process: /^(nxserver|nxnode)(\.bin|\.exe)?$/i, paths: { linux: ['/usr/NX/bin/nxserver'], darwin: ['/Applications/NoMachine.app'], win32: ['PF\\NoMachine'] } },
  { name: 'Ammyy Admin', process: /^aa_v3/i, paths: {} },
  { name: 'Supremo', process: /^supremo/i, paths: { win32: ['PF\\Supremo'] } },
  { name: 'DWService', process: /^dwagent/i, paths: { linux: ['/usr/share/dwagent'], win32: ['PF\\DWAgent'] } },
  { name: 'MeshCentral agent', process: /^meshagent/i, paths: { linux: ['/usr/local/mesh_services/meshagent'], win32: ['PF\\Mesh Agent'] } }, // i18n-ignore: product names and install paths
  { name: 'UltraViewer', process: /^ultraviewer/i, paths: { win32: ['PF\\UltraViewer'] } },
  { name: 'Quick Assist', process: /^quickassist(\.exe)?$/i, paths: {} },
];

const baseName = (name: string) => name.replace(/\.exe$/i, '');

export async function findRemoteTools(host: ProbeHost, processes: readonly ProcessInfo[]): Promise<SecuritySection['remoteTools']> {
  const platform = host.platform === 'win32' || host.platform === 'darwin' ? host.platform : 'linux';
  const roots = [host.env.ProgramFiles, host.env['ProgramFiles(x86)']].filter((r): r is string => Boolean(r));
  const found = await Promise.all(KNOWN_TOOLS.map(async (tool) => {
    const running = processes.filter((p) => tool.process.test(baseName(p.name)));
    const candidates = (tool.paths[platform] ?? []).flatMap((p) => (p.startsWith('PF\\') ? roots.map((r) => `${r}${p.slice(2)}`) : [p]));
    const installed = (await Promise.all(candidates.map(async (p) => ((await host.exists(p)) ? p : null)))).filter((p): p is string => p !== null);
    if (running.length === 0 && installed.length === 0) return null;
    const evidence = running.length > 0
      ? probeWords('running', { list: running.slice(0, 3).map((p) => `${p.name} (pid ${p.pid})`).join(', ') })
      : probeWords('installedIn', { path: installed[0] });
    return { name: tool.name, running: running.length > 0, installed: installed.length > 0, evidence: clean(evidence, 160) };
  }));
  return found.filter((f): f is NonNullable<typeof f> => f !== null).slice(0, 12);
}

const TEMP_FOLDER = /^(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/private\/tmp\/|(\/private)?\/var\/folders\/[^/]+\/[^/]+\/T\/|[a-z]:\\windows\\temp\\|[a-z]:\\users\\[^\\]+\\appdata\\local\\temp\\)/i;

/** Programs whose executable sits in a temporary folder (on Linux, /proc/<pid>/exe says exactly where). */
export async function findTempProcesses(host: ProbeHost, processes: readonly ProcessInfo[]): Promise<SecuritySection['tempProcesses']> {
  const sep = host.platform === 'win32' ? '\\' : '/';
  const rows = await Promise.all(processes.slice(0, 4000).map(async (p) => {
    const exact = host.platform === 'linux' ? await host.executableOf(p.pid) : null;
    const path = (exact ?? (p.path ? `${p.path}${p.path.endsWith(sep) ? '' : sep}${p.name}` : '')).replace(/ \(deleted\)$/, '');
    return TEMP_FOLDER.test(path) ? { pid: p.pid, name: clean(p.name, 128), path: clean(path, 255) } : null;
  }));
  return rows.filter((r): r is NonNullable<typeof r> => r !== null).slice(0, 8);
}
