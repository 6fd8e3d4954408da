/**
 * `relais-agent install-service`: run `relais-agent run` at boot. On Linux a
 * systemd unit is written (and enabled when systemd runs here and the unit went
 * to its standard place); on macOS and Windows the steps are printed, because
 * they are not tested here and an untested installer is worse than clear words.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { readDeviceFile, statePaths } from './device-state.js';
import type { InstallServiceConfig } from '../cli/fleet-cli.js';
import { agentWords } from '../cli/agent-language.js';
import { enrollCatalog } from './enroll-catalog.js';

const words = agentWords(enrollCatalog);

export const DEFAULT_UNIT_PATH = '/etc/systemd/system/relais-agent.service';
const UNIT_NAME = 'relais-agent.service';

export interface InstallHost {
  readonly platform: NodeJS.Platform;
  readonly isRoot: boolean;
  /** The account the service will run as. */
  readonly user: string;
  /** Absolute paths of node and of this agent's script, as ExecStart runs them; a single executable has no script (null) and runs itself. */
  readonly nodePath: string;
  readonly scriptPath: string | null;
  readonly stateDir: string;
  readonly say: (text: string) => void;
  readonly warn: (text: string) => void;
}

/** One ExecStart argument, quoted for systemd: backslashes and quotes escaped, % and $ doubled so nothing expands. */
function unitArgument(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

// i18n-ignore: the unit file is configuration for systemd; its comments are for whoever reads /etc, in the one language of config files
const UNIT_TEMPLATE = `# Written by "relais-agent install-service". The agent connects to its Relais controller
# with this machine's key and applies the local policy in @STATE_DIR@/policy.json.
[Unit]
Description=Relais agent (managed device)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=@USER@
ExecStart=@EXEC@
# It reconnects by itself; a crash restarts it. Exit status 78 means the controller
# refused this device for good (revoked, unknown): restarting would not help.
Restart=always
RestartSec=5
RestartPreventExitStatus=78
# Nobody is at a terminal: the policy's "ask" means no.
StandardInput=null
Environment=NO_COLOR=1
# glibc gives threads malloc arenas of their own and keeps what they freed there (the
# diagnostics worker's after each snapshot): two arenas keep an idle agent smaller.
Environment=MALLOC_ARENA_MAX=2
# Remote shells are children of this unit: stopping the service ends them too.
KillMode=control-group

[Install]
WantedBy=multi-user.target
`;

/** What starts the agent: node and its script, or the executable alone. */
function program(host: Pick<InstallHost, 'nodePath' | 'scriptPath'>): string[] {
  return host.scriptPath === null ? [host.nodePath] : [host.nodePath, host.scriptPath];
}

/** The systemd unit that runs the agent for good. */
export function systemdUnit(host: Pick<InstallHost, 'nodePath' | 'scriptPath' | 'stateDir' | 'user'>): string {
  const exec = [...program(host), 'run', '--state-dir', host.stateDir].map(unitArgument).join(' ');
  const values: Record<string, string> = { '@STATE_DIR@': host.stateDir.replace(/[\r\n]/g, ' '), '@USER@': host.user, '@EXEC@': exec };
  return UNIT_TEMPLATE.replace(/@(STATE_DIR|USER|EXEC)@/g, (token) => values[token] ?? token);
}

/** Installs (or explains how to install) the service; returns the exit code. */
export function installService(config: InstallServiceConfig, host: InstallHost): number {
  const device = readDeviceFile(statePaths(host.stateDir).device);
  if (!device.ok) {
    host.warn(device.message);
    return 1;
  }
  if (host.scriptPath !== null && /[\\/]_npx[\\/]/.test(host.scriptPath)) {
    host.warn(words('npxCache', { path: host.scriptPath }));
    return 1;
  }
  const command = [...program(host), 'run', '--state-dir', host.stateDir];
  if (host.platform === 'darwin') return explainMac(command, host);
  if (host.platform === 'win32') return explainWindows(command, host);
  if (host.platform !== 'linux') {
    host.say(words('otherPlatform', { command: command.join(' ') }));
    return 0;
  }
  const unitPath = config.unitPath ?? DEFAULT_UNIT_PATH;
  if (config.unitPath === null && !host.isRoot) {
    host.warn(words('needsRoot', { path: DEFAULT_UNIT_PATH }));
    return 1;
  }
  try {
    writeFileSync(unitPath, systemdUnit(host), { mode: 0o644 });
  } catch (error) {
    host.warn(words('cannotWrite', { path: unitPath, error: (error as Error).message }));
    return 1;
  }
  host.say(words('wroteUnit', { path: unitPath, dir: host.stateDir, user: host.user }));
  if (config.unitPath !== null) {
    host.say(words('notEnabled', { defaultPath: DEFAULT_UNIT_PATH, unit: UNIT_NAME }));
    return 0;
  }
  // sd_booted(): systemd is the running init only when this folder exists.
  if (!existsSync('/run/systemd/system')) {
    host.say(words('noSystemd', { unit: UNIT_NAME }));
    return 0;
  }
  try {
    execFileSync('systemctl', ['daemon-reload'], { stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('systemctl', ['enable', '--now', UNIT_NAME], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    host.warn(words('enableFailed', { error: stderr || (error as Error).message, unit: UNIT_NAME }));
    return 1;
  }
  host.say(words('enabled', { unit: UNIT_NAME }));
  return 0;
}

// i18n-ignore: a launchd property list, read by macOS
const PLIST_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>Label</key><string>com.relais.agent</string>
  <key>ProgramArguments</key><array>
@ARGS@
  </array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardOutPath</key><string>/var/log/relais-agent.log</string>
  <key>StandardErrorPath</key><string>/var/log/relais-agent.log</string>
</dict></plist>`;

function explainMac(command: readonly string[], host: InstallHost): number {
  const args = command.map((arg) => `    <string>${arg.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string>`).join('\n');
    const plist = PLIST_TEMPLATE.replace('@ARGS@', () => args);
  host.say(`${words('macIntro')}\n\n${plist}\n\n${words('macThen')}`);
  return 0;
}

function explainWindows(command: readonly string[], host: InstallHost): number {
  const line = command.map((arg) => (/[\s"]/.test(arg) ? `\\"${arg}\\"` : arg)).join(' ');
  // i18n-ignore: commands to type, the same in every language
  const commands = `  schtasks /Create /TN "Relais Agent" /SC ONSTART /RU SYSTEM /RL HIGHEST /TR "${line}"\n  schtasks /Run /TN "Relais Agent"`;
  host.say(`${words('windowsIntro')}\n\n${commands}\n\n${words('windowsNote')}`);
  return 0;
}
