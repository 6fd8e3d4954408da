/**
 * What can stop the CLI, and with which exit status. Refusals from the controller
 * carry its catalog code and are shown in the catalog's words (protocol/errors.ts);
 * failures that happen before any answer (unreachable, timed out, garbage) have
 * their own stable codes here, worded for the technician at the terminal.
 */
import { errorWords, isErrorCode, plainLine } from '../../protocol/index.js';
import { cliCatalog } from './cli-catalog.js';
import { cliLanguage, say } from './cli-language.js';

export const EXIT = Object.freeze({
  /** Every device succeeded (or the command did what it was asked). */
  ok: 0,
  /** At least one device failed, was refused, timed out, was cancelled or expired. */
  someFailed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The controller could not be reached, refused the token, or answered nonsense. */
  connection: 3,
  /** Interrupted with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
});

/** The CLI's own error codes; their words are in cli-catalog.ts (CLI_ERRORS keeps the English ones). */
export const CLI_ERRORS = Object.freeze({
  CLI_ERR_USAGE: cliCatalog.en.CLI_ERR_USAGE,
  CLI_ERR_NO_CONTROLLER: cliCatalog.en.CLI_ERR_NO_CONTROLLER,
  CLI_ERR_NO_TOKEN: cliCatalog.en.CLI_ERR_NO_TOKEN,
  CLI_ERR_UNREACHABLE: cliCatalog.en.CLI_ERR_UNREACHABLE,
  CLI_ERR_TIMEOUT: cliCatalog.en.CLI_ERR_TIMEOUT,
  CLI_ERR_BAD_ANSWER: cliCatalog.en.CLI_ERR_BAD_ANSWER,
});
export type CliErrorCode = keyof typeof CLI_ERRORS;

/** An error that ends the command with a message for the technician and an exit status. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }

  /** A failure of the CLI's own (usage, connection), with optional non-secret context. */
  static of(code: CliErrorCode, detail?: string): CliError {
    const exitCode = code === 'CLI_ERR_USAGE' || code === 'CLI_ERR_NO_CONTROLLER' || code === 'CLI_ERR_NO_TOKEN' ? EXIT.usage : EXIT.connection;
    return new CliError(code, detail ? `${say(code)} ${detail}` : say(code), exitCode);
  }

  /**
   * A refusal from the controller, in the catalog's words (in the CLI's language): the controller's text is
   * kept only when it is the catalog message plus detail (which field, which id).
   * Authentication refusals and server failures end with 3, a refused request (bad
   * script, no device, unknown job) with 2.
   */
  static fromController(status: number, code: string, serverMessage: string): CliError {
    const words = isErrorCode(code) ? errorWords(code, cliLanguage()) : null;
    const shown = plainLine(serverMessage, 500);
    const message = words ? (shown.startsWith(words) ? shown : words) : shown || say('refusedHttp', { status: String(status) });
    const exitCode = status === 401 || status === 403 || status >= 500 ? EXIT.connection : EXIT.usage;
    return new CliError(code, `${message} (${code})`, exitCode);
  }
}
