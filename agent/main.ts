/**
 * The composition root of relais-agent: the only place that reads argv and the
 * environment. It parses and freezes the config, builds the parts, hands each
 * what it needs, and turns the outcome into an exit code.
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { LIMITS, PROBLEM_MAX_CHARS, RECONNECT_BACKOFF, plainText, runHealthChecks } from '../protocol/index.js';
import { plainLine } from '../protocol/text.js';
import { words as personWords } from './person/person-words.js';
import { parseCommandLine, type DiagnoseConfig, type EnrollConfig, type InstallServiceConfig, type JoinConfig, type RunConfig } from './cli/cli.js';
import { agentSocketUrl, transportRefusal } from './link/controller-url.js';
import { DeviceKeyCredentials, SupportCodeCredentials } from './link/credentials.js';
import { controllerUrlsOf, defaultStateDir, loadDeviceKey, readDeviceFile, statePaths } from './managed/device-state.js';
import { renderReport } from './diagnostics/report.js';
import { collectSnapshot } from './diagnostics/collect.js';
import { enroll } from './managed/enroll.js';
import { installService } from './managed/install-service.js';
import { Link } from './link/link.js';
import { readPolicyFile } from './consent/local-policy.js';
import { ManagedService, REFUSED_EXIT_CODE } from './managed/managed-service.js';
import { PersonTerminal } from './person/person-terminal.js';
import { Session } from './attended/session.js';
import { gatherSummary, localUserName } from './diagnostics/summary.js';
import { agentLanguage, chooseAgentLanguage, setAgentLanguage } from './cli/agent-language.js';
import { cliWords } from './cli/cli-parsing.js';
import { runningExecutable, type ExecutableAssets } from './executable/sea.js';
import { readOwnTrailer } from './executable/own-trailer.js';
import { agentCacheRoot } from './executable/cache-folder.js';
import { runForkedPtyHelper } from './executable/forked-script.js';
import { loadPtyFrom, preparePtyFolder } from './executable/pty-assets.js';
import { setPtySource } from './shell/shell-pty.js';

const USAGE_EXIT_CODE = 2;
/** Asking apt/dnf/Windows Update what is pending costs seconds of CPU; an operator (or a test suite starting hundreds of agents) can turn it off. */
const checkPendingUpdates = process.env.RELAIS_NO_UPDATE_CHECK !== '1';

/** Set when this agent is a single executable (Node SEA) rather than a script under node. */
const executable = runningExecutable();
const cacheRoot = agentCacheRoot(process.platform, process.env, os.homedir());

/**
 * The command line; for an executable started with none, the session trailer the
 * controller attached to it, turned into the same `join` a person would type (and so
 * checked the same way). Null with the reason when the trailer is damaged.
 */
function commandLine(): { args: string[] } | { refused: string } {
  const args = process.argv.slice(2);
  // Options alone (`--no-prompt`, `--lang fr`) still join the attached session; a command or --help/--version does not.
  const optionsOnly = args.every((arg, i) => arg.startsWith('--') || args[i - 1] === '--lang') && !args.some((arg) => ['--help', '--version'].includes(arg));
  if (!executable || !optionsOnly) return { args };
  const read = readOwnTrailer(process.execPath);
  if (read.kind === 'none') return { args };
  if (read.kind === 'invalid') return { refused: read.reason };
  const { controller, code, lang } = read.trailer;
  return { args: [...(lang ? ['--lang', lang] : []), 'join', `${controller.replace(/\/+$/, '')}/s/${code}`, ...args] };
}

async function main(): Promise<number> {
  if (executable && runForkedPtyHelper(process.argv.slice(2), cacheRoot)) return new Promise<number>(() => {});
  const line = commandLine();
  const args = 'args' in line ? line.args : [];
  const language = chooseAgentLanguage(args, process.env, Intl.DateTimeFormat().resolvedOptions().locale);
  setAgentLanguage(language.ok ? language.language : language.fallback);
  if (!language.ok) {
    process.stderr.write(`${cliWords('badLang', { value: JSON.stringify(language.value.slice(0, 20)) })}\n`);
    return USAGE_EXIT_CODE;
  }
  if ('refused' in line) {
    process.stderr.write(`relais-agent: ${cliWords('trailerInvalid', { reason: line.refused.slice(0, 200) })}\n`);
    return USAGE_EXIT_CODE;
  }
  const command = parseCommandLine(args, process.env);
  if (executable && (command.kind === 'join' || command.kind === 'run')) preparePty(executable);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${command.text}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${__RELAIS_VERSION__}\n`);
      return 0;
    case 'usage-error':
      process.stderr.write(`relais-agent: ${command.message}\n\n${command.usage}\n`);
      return USAGE_EXIT_CODE;
    case 'refused':
      process.stderr.write(`relais-agent: ${command.message}\n`);
      return USAGE_EXIT_CODE;
    case 'join':
      return join(command.config);
    case 'diagnose':
      return diagnose(command.config);
    case 'enroll':
      return enrollMachine(command.config);
    case 'run':
      return run(command.config);
    case 'install-service':
      return install(command.config);
  }
}

/** The executable writes node-pty out of its assets now, so the first shell finds it ready (or learns why not). */
function preparePty(assets: ExecutableAssets): void {
  const prepared = new Promise<void>((resolve) => setImmediate(resolve)).then(() => preparePtyFolder(assets, cacheRoot));
  prepared.catch(() => {}); // The reason reaches the person with the first shell, through loadPty.
  setPtySource(() => prepared.then(loadPtyFrom));
}

/** How the person can see the diagnostics themselves: this executable, or the npm package. */
function diagnoseCommand(controllerUrl: string): string {
  if (!executable) return `npx --yes ${controllerUrl}/download/relais-agent.tgz diagnose`; // i18n-ignore: a shell command
  if (!/\s/.test(process.execPath)) return `${process.execPath} diagnose`; // i18n-ignore: a shell command
  // A quoted path runs as a command in PowerShell (Windows' default terminal) only after "&".
  return process.platform === 'win32' ? `& "${process.execPath}" diagnose` : `"${process.execPath}" diagnose`; // i18n-ignore: a shell command
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** The state folder: --state-dir, RELAIS_STATE_DIR, or the platform's default. */
function stateDirOf(config: { stateDir: string | null }): string {
  return config.stateDir ?? defaultStateDir(process.platform, isRoot, process.env);
}

function agentFacts() {
  return Object.freeze({
    version: plainText(__RELAIS_VERSION__, 32),
    platform: plainText(process.platform, 32),
    arch: plainText(process.arch, 32),
    hostname: plainText(os.hostname(), 255),
  });
}

async function enrollMachine(config: EnrollConfig): Promise<number> {
  return enroll(config, {
    stateDir: stateDirOf(config),
    hostname: os.hostname(),
    platform: process.platform,
    say: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`relais-agent: ${text}\n`),
  });
}

function install(config: InstallServiceConfig): number {
  return installService(config, {
    platform: process.platform,
    isRoot,
    user: localUserName(),
    nodePath: process.execPath,
    // An executable runs itself: there is no script to name.
    scriptPath: executable ? null : realpathSync(process.argv[1] ?? ''),
    stateDir: stateDirOf(config),
    say: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`relais-agent: ${text}\n`),
  });
}

/** A managed device's service: connect by key, stay connected, let the local policy decide. */
async function run(config: RunConfig): Promise<number> {
  const paths = statePaths(stateDirOf(config));
  const device = readDeviceFile(paths.device);
  const key = loadDeviceKey(paths.key);
  const policy = readPolicyFile(paths.policy);
  const problem = !device.ok ? device.message : !key.ok ? key.message : !policy.ok ? cliWords('policyUnusable', { problem: policy.message }) : null;
  if (problem !== null || !device.ok || !key.ok) {
    process.stderr.write(`relais-agent: ${problem}\n`);
    return REFUSED_EXIT_CODE;
  }
  const wsUrls = controllerUrlsOf(device.value).map((url) => agentSocketUrl(new URL(url)));
  const refusal = wsUrls.map((url) => transportRefusal(url, device.value.insecure)).find((r) => r !== null) ?? null;
  if (refusal !== null) {
    process.stderr.write(`relais-agent: ${refusal}\n`);
    return REFUSED_EXIT_CODE;
  }
  const env = Object.freeze({ ...process.env });
  const host = Object.freeze({ localUser: localUserName(), home: os.homedir(), env, platform: process.platform });
  const credentials = new DeviceKeyCredentials(device.value.deviceId, device.value.controllerUrl, key.value.privateKey);
  let service: ManagedService | null = null;
  const terminal = new PersonTerminal({ input: process.stdin, output: process.stdout, errors: process.stderr }, (command) => service?.command(command));
  const readPolicy = () => readPolicyFile(paths.policy);
  const current = new ManagedService({
    device: device.value,
    paths,
    host,
    terminal,
    consentTimeoutMs: config.consentTimeoutMs,
    forcePipes: config.forcePipes,
    ...(config.fileMaxBytes !== undefined ? { fileMaxBytes: config.fileMaxBytes } : {}),
    readPolicy,
    gatherSummary: () => gatherSummary(__RELAIS_VERSION__),
    collectDiagnostics: () => collectSnapshot({ controllerUrl: device.value.controllerUrl, resolveNames: config.resolveNames, checkPendingUpdates }),
    createLink: (listener) =>
      new Link(
        {
          wsUrls,
          credentials,
          agent: agentFacts(),
          // A person is asked only at a terminal (and only when the policy says ask).
          ...(process.stdin.isTTY ? { consentTimeoutMs: config.consentTimeoutMs } : {}),
          policy: () => {
            const read = readPolicy();
            return read.ok ? read.policy : null;
          },
          heartbeatTimeoutMs: LIMITS.heartbeatTimeoutMs,
          // A service has time: back off further than a person waiting at a terminal would.
          backoff: { ...RECONNECT_BACKOFF, maxMs: 60_000 },
        },
        listener,
      ),
  });
  service = current;
  return runToTheEnd(current, terminal, () => void current.stop(0));
}

async function diagnose(config: DiagnoseConfig): Promise<number> {
  if (!config.json && process.stdout.isTTY) process.stdout.write(`${cliWords('checking')}\n`);
  // Run once by hand: worth waiting for the package manager's answer on pending updates.
  const snapshot = await collectSnapshot({ controllerUrl: config.controllerUrl, resolveNames: config.resolveNames, pendingUpdatesWaitMs: 10_000, checkPendingUpdates });
  const findings = runHealthChecks(snapshot, {}, agentLanguage());
  if (config.json) process.stdout.write(`${JSON.stringify({ snapshot, findings }, null, 2)}\n`);
  else process.stdout.write(renderReport(snapshot, findings, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, language: agentLanguage() }));
  return 0;
}

/**
 * Before joining, one optional line: the person says what is wrong in their own words (the
 * technician reads it on the ticket). Only at an interactive terminal, never with --no-prompt.
 */
async function askProblem(config: JoinConfig): Promise<string | null> {
  if (config.noPrompt || !process.stdin.isTTY || !process.stdout.isTTY) return null;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.question(personWords('describeProblem'), resolve);
    });
    const line = plainLine(answer, PROBLEM_MAX_CHARS).trim();
    return line === '' ? null : line;
  } finally {
    rl.close();
    process.stdin.pause();
  }
}

async function join(config: JoinConfig): Promise<number> {
  const problem = await askProblem(config);
  const env = Object.freeze({ ...process.env });
  const host = Object.freeze({ localUser: localUserName(), home: os.homedir(), env, platform: process.platform });
  let session: Session | null = null;
  const terminal = new PersonTerminal(
    { input: process.stdin, output: process.stdout, errors: process.stderr },
    (personCommand) => session?.command(personCommand),
  );
  const agentInfo = agentFacts();
  const current = new Session({
    config,
    host,
    diagnoseCommand: diagnoseCommand(config.target.controllerUrl),
    terminal,
    gatherSummary: () => gatherSummary(__RELAIS_VERSION__),
    collectDiagnostics: () => collectSnapshot({ controllerUrl: config.target.controllerUrl, resolveNames: config.resolveNames, checkPendingUpdates }),
    createLink: (listener) =>
      new Link(
        { wsUrls: [config.target.wsUrl, ...config.target.otherWsUrls], credentials: new SupportCodeCredentials(config.target.code, problem), agent: agentInfo, consentTimeoutMs: config.consentTimeoutMs, heartbeatTimeoutMs: LIMITS.heartbeatTimeoutMs },
        listener,
      ),
  });
  session = current;
  // Signals end the session the same way the person does: shells killed, controller told.
  return runToTheEnd(current, terminal, () => current.command('end-session'));
}

/** Starts a session or service, ends it cleanly on signals, and stops everything on an internal error. */
async function runToTheEnd(
  current: { start(): void; abandon(): void; readonly finished: Promise<number> },
  terminal: PersonTerminal,
  onSignal: () => void,
): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (signal === 'SIGHUP') terminalHungUp = true;
      onSignal();
    });
  }
  process.on('uncaughtException', (error) => {
    current.abandon();
    void terminal.stop();
    process.stderr.write(`${cliWords('internalError', { error: error.message })}\n`);
    process.exit(1);
  });
  current.start();
  const exitCode = await current.finished;
  // The last words and mirrored output reach the screen before the process exits.
  await terminal.stop();
  return exitCode;
}

/**
 * Started by a double click on Windows (the executable, no argument, a console of its own),
 * the window closes with the process: the last words stay until the person presses Enter
 * (at most 10 minutes).
 */
const holdsWindow = executable !== null && process.platform === 'win32' && process.argv.length <= 2 && Boolean(process.stdin.isTTY);

/** Set when the agent was told its terminal hung up (the person closed its window). */
let terminalHungUp = false;

/**
 * Ends the process after its terminal hung up. At exit Node puts the terminal's modes back and
 * aborts when it cannot, which a terminal that hung up refuses (EIO): the agent crashed (SIGSEGV or
 * SIGABRT) each time its window was closed. Ended by the hang-up signal itself, the way any
 * program in that window ends, it leaves with nothing to put back. Only after the session ended
 * cleanly (shells killed, controller told), which is what the signal asked for.
 */
function leaveHungUpTerminal(code: number): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
  // Delivered at once; should it not be, the usual exit.
  setTimeout(() => process.exit(code), 1000);
}

async function exitWith(code: number): Promise<never> {
  const onTerminal = Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
  if (terminalHungUp && onTerminal && process.platform !== 'win32') {
    leaveHungUpTerminal(code);
    // The signal ends the process.
    return new Promise<never>(() => undefined);
  }
  if (holdsWindow) {
    process.stdout.write(`\n${cliWords('pressEnterToClose')}`);
    await new Promise<void>((resolve) => {
      setTimeout(resolve, 10 * 60_000).unref();
      process.stdin.setRawMode?.(false);
      process.stdin.resume();
      process.stdin.once('data', () => resolve());
      process.stdin.once('end', () => resolve());
    });
  }
  process.exit(code);
}

main().then(
  (code) => exitWith(code),
  (error: unknown) => {
    process.stderr.write(`relais-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitWith(1);
  },
);
