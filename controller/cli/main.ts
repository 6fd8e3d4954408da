/**
 * `relais`: the technicians' command line. Parses the arguments, runs one fleet or
 * tickets command against the controller's REST API with an API token, and exits with a
 * status scripts can rely on (see USAGE). The token is never printed.
 */
import { parseArgs, usageText } from './args.js';
import { CliError, EXIT } from './cli-errors.js';
import { runFleetCommand, type CliIo } from './fleet-commands.js';
import { isTicketCommand, runTicketCommand } from './ticket-commands.js';
import { plainLine } from '../../protocol/index.js';
import { say } from './cli-language.js';

async function main(): Promise<number> {
  let interruptHandler: (() => void) | null = null;
  process.on('SIGINT', () => {
    interruptHandler?.();
    process.exit(EXIT.interrupted);
  });
  const io: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progressTty: process.stderr.isTTY ? process.stderr : null,
    onInterrupt(handler) {
      interruptHandler = handler;
      return () => (interruptHandler = null);
    },
    async readStdin(maxBytes) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxBytes) break;
      }
      return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
    },
  };
  try {
    const command = parseArgs(process.argv.slice(2), process.env, Intl.DateTimeFormat().resolvedOptions().locale);
    if (command.kind === 'help') {
      io.out(`relais ${__RELAIS_VERSION__}\n\n${usageText()}\n`);
      return EXIT.ok;
    }
    return isTicketCommand(command) ? await runTicketCommand(command, io) : await runFleetCommand(command, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`relais: ${err.message}\n`);
      return err.exitCode;
    }
    // A bug of ours: say so plainly, without a stack full of internals.
    io.err(`relais: ${say('unexpectedError', { message: plainLine(err instanceof Error ? err.message : String(err), 500) })}\n`);
    return EXIT.connection;
  }
}

process.exitCode = await main();
