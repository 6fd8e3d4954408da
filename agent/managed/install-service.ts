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

export const DEFAULT_UNIT_PATH = '/etc/systemd/system/relais-agent.service';
const UNIT_NAME = 'relais-agent.service';

export interface InstallHost {
  readonly platform: NodeJS.Platform;
  readonly isRoot: boolean;
  /** The account the service will run as. */
  readonly user: string;
  /** Absolute paths of node and of this agent's script, as ExecStart runs them. */
  readonly nodePath: string;
  readonly scriptPath: string;
  readonly stateDir: string;
  readonly say: (text: string) => void;
  readonly warn: (text: string) => void;
}

/** One ExecStart argument, quoted for systemd: backslashes and quotes escaped, % and $ doubled so nothing expands. */
function unitArgument(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** The systemd unit that runs the agent for good. */
export function systemdUnit(host: Pick<InstallHost, 'nodePath' | 'scriptPath' | 'stateDir' | 'user'>): string {
  const exec = [host.nodePath, host.scriptPath, 'run', '--state-dir', host.stateDir].map(unitArgument).join(' ');
  return `# Written by "relais-agent install-service". The agent connects to its Relais controller
# with this machine's key and applies the local policy in ${host.stateDir.replace(/[\r\n]/g, ' ')}/policy.json.
[Unit]
Description=Relais agent (managed device)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${host.user}
ExecStart=${exec}
# It reconnects by itself; a crash restarts it. Exit status 78 means the controller
# refused this device for good (revoked, unknown): restarting would not help.
Restart=always
RestartSec=5
RestartPreventExitStatus=78
# Nobody is at a terminal: the policy's "ask" means no.
StandardInput=null
Environment=NO_COLOR=1
# Remote shells are children of this unit: stopping the service ends them too.
KillMode=control-group

[Install]
WantedBy=multi-user.target
`;
}

/** Installs (or explains how to install) the service; returns the exit code. */
export function installService(config: InstallServiceConfig, host: InstallHost): number {
  const device = readDeviceFile(statePaths(host.stateDir).device);
  if (!device.ok) {
    host.warn(device.message);
    return 1;
  }
  if (/[\\/]_npx[\\/]/.test(host.scriptPath)) {
    host.warn(
      `This agent runs from npx's temporary cache (${host.scriptPath}), which can be cleaned at any time. ` +
        'Install it for good first (npm install -g <controller>/download/relais-agent.tgz), then run "relais-agent install-service" from there.',
    );
    return 1;
  }
  const command = [host.nodePath, host.scriptPath, 'run', '--state-dir', host.stateDir];
  if (host.platform === 'darwin') return explainMac(command, host);
  if (host.platform === 'win32') return explainWindows(command, host);
  if (host.platform !== 'linux') {
    host.say(`Automatic installation is only done on Linux. Start this command at boot with your system's service manager:\n  ${command.join(' ')}`);
    return 0;
  }
  const unitPath = config.unitPath ?? DEFAULT_UNIT_PATH;
  if (config.unitPath === null && !host.isRoot) {
    host.warn(`Writing ${DEFAULT_UNIT_PATH} needs root: run "sudo relais-agent install-service" (or give --unit-path).`);
    return 1;
  }
  try {
    writeFileSync(unitPath, systemdUnit(host), { mode: 0o644 });
  } catch (error) {
    host.warn(`Could not write ${unitPath}: ${(error as Error).message}`);
    return 1;
  }
  host.say(`Wrote the systemd unit ${unitPath} (runs "relais-agent run --state-dir ${host.stateDir}" as ${host.user}).`);
  if (config.unitPath !== null) {
    host.say(`It was not enabled (--unit-path). To use it: copy it to ${DEFAULT_UNIT_PATH}, then run: systemctl daemon-reload && systemctl enable --now ${UNIT_NAME}`);
    return 0;
  }
  // sd_booted(): systemd is the running init only when this folder exists.
  if (!existsSync('/run/systemd/system')) {
    host.say(`systemd is not running on this machine, so the unit was not enabled. Where systemd runs: systemctl daemon-reload && systemctl enable --now ${UNIT_NAME}`);
    return 0;
  }
  try {
    execFileSync('systemctl', ['daemon-reload'], { stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('systemctl', ['enable', '--now', UNIT_NAME], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    host.warn(`The unit was written but could not be enabled: ${stderr || (error as Error).message}. Try: systemctl enable --now ${UNIT_NAME}`);
    return 1;
  }
  host.say(`Enabled and started ${UNIT_NAME}. Its log: journalctl -u ${UNIT_NAME} -f`);
  return 0;
}

function explainMac(command: readonly string[], host: InstallHost): number {
  const args = command.map((arg) => `    <string>${arg.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string>`).join('\n');
  host.say(`macOS: this is not installed automatically (and not tested). As root, save this as /Library/LaunchDaemons/com.relais.agent.plist:

<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>Label</key><string>com.relais.agent</string>
  <key>ProgramArguments</key><array>
${args}
  </array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardOutPath</key><string>/var/log/relais-agent.log</string>
  <key>StandardErrorPath</key><string>/var/log/relais-agent.log</string>
</dict></plist>

then run: sudo launchctl bootstrap system /Library/LaunchDaemons/com.relais.agent.plist`);
  return 0;
}

function explainWindows(command: readonly string[], host: InstallHost): number {
  const line = command.map((arg) => (/[\s"]/.test(arg) ? `\\"${arg}\\"` : arg)).join(' ');
  host.say(`Windows: this is not installed automatically (and not tested). In an administrator PowerShell, start it at boot as SYSTEM with a scheduled task:

  schtasks /Create /TN "Relais Agent" /SC ONSTART /RU SYSTEM /RL HIGHEST /TR "${line}"
  schtasks /Run /TN "Relais Agent"

(A Windows service would need a service wrapper such as NSSM: node does not speak the service control protocol.)`);
  return 0;
}
