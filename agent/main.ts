/**
 * The composition root of relais-agent: the only place that reads argv and the
 * environment. It parses and freezes the config, builds the parts, hands each
 * what it needs, and turns the outcome into an exit code.
 */
import os from 'node:os';
import { LIMITS, runHealthChecks } from '../protocol/index.js';
import { parseCommandLine, type DiagnoseConfig, type JoinConfig } from './cli.js';
import { renderReport } from './diagnostics/report.js';
import { collectSnapshot } from './diagnostics/collect.js';
import { Link } from './link.js';
import { PersonTerminal } from './person-terminal.js';
import { plainText } from './plain-text.js';
import { Session } from './session.js';
import { gatherSummary, localUserName } from './summary.js';

const USAGE_EXIT_CODE = 2;

async function main(): Promise<number> {
  const command = parseCommandLine(process.argv.slice(2), process.env);
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
  }
}

async function diagnose(config: DiagnoseConfig): Promise<number> {
  if (!config.json && process.stdout.isTTY) process.stdout.write('Checking this computer…\n');
  const snapshot = await collectSnapshot({ controllerUrl: config.controllerUrl, resolveNames: config.resolveNames });
  const findings = runHealthChecks(snapshot);
  if (config.json) process.stdout.write(`${JSON.stringify({ snapshot, findings }, null, 2)}\n`);
  else process.stdout.write(renderReport(snapshot, findings, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
  return 0;
}

async function join(config: JoinConfig): Promise<number> {
  const env = Object.freeze({ ...process.env });
  const host = Object.freeze({ localUser: localUserName(), home: os.homedir(), env, platform: process.platform });
  let session: Session | null = null;
  const terminal = new PersonTerminal(
    { input: process.stdin, output: process.stdout, errors: process.stderr },
    (personCommand) => session?.command(personCommand),
  );
  const agentInfo = Object.freeze({
    version: plainText(__RELAIS_VERSION__, 32),
    platform: plainText(process.platform, 32),
    arch: plainText(process.arch, 32),
    hostname: plainText(os.hostname(), 255),
  });
  const current = new Session({
    config,
    host,
    terminal,
    gatherSummary: () => gatherSummary(__RELAIS_VERSION__),
    collectDiagnostics: () => collectSnapshot({ controllerUrl: config.target.controllerUrl, resolveNames: config.resolveNames }),
    createLink: (listener) =>
      new Link({ wsUrl: config.target.wsUrl, code: config.target.code, agent: agentInfo, heartbeatTimeoutMs: LIMITS.heartbeatTimeoutMs }, listener),
  });
  session = current;
  // Signals end the session the same way the person does: shells killed, controller told.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => current.command('end-session'));
  process.on('uncaughtException', (error) => {
    current.abandon();
    terminal.stop();
    process.stderr.write(`relais-agent: internal error, stopping (${error.message}). Remote shells were closed.\n`);
    process.exit(1);
  });
  current.start();
  const exitCode = await current.finished;
  terminal.stop();
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`relais-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
