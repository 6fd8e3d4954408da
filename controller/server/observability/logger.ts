/**
 * The controller's logs: one JSON object a line on stdout (pino), for a collector
 * (journald, Loki, Elasticsearch) to read. Every line carries the node, and the
 * children made per request and per connection add the request id, the account or
 * the device. Secrets are removed by configuration: SECRET_KEYS (redaction.ts) is the
 * one list of field names whose values never reach the output, whoever logs them; and
 * what may hold secrets in its text (request URLs, query strings, bodies, headers)
 * is never logged at all: requests are logged by route template (`/s/:code`).
 */
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import { plainText } from '../../../protocol/index.js';
import { censorSecrets } from './redaction.js';

export { REDACTED, SECRET_KEYS } from './redaction.js';

export type Log = Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The node a line comes from: --node-id, else hostname:port, known once the server listens (port 0 in tests). */
export class NodeName {
  constructor(private name: string) {}

  /** The default name, `host:port`. */
  static of(port: number): string {
    return `${hostname()}:${port}`;
  }

  get value(): string {
    return this.name;
  }

  /** Called once the listening port is known, when no --node-id was given. */
  settle(name: string): void {
    this.name = name;
  }
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly node: NodeName;
  /** Where lines go; stdout by default (synchronously, so the last lines before exit are not lost). */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Log {
  const root = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      // ISO time and level names: what collectors and people read without a table.
      timestamp: pino.stdTimeFunctions.isoTime,
      // The one list of secrets (redaction.ts) on every line; children's bindings below.
      formatters: { level: (label) => ({ level: label }), log: censorSecrets },
      mixin: () => ({ node: options.node.value }),
      serializers: { err: errorFields, req: requestFields },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // pino formats a child's bindings once, without the line formatter: every child, at any
  // depth (each inherits this method from the root), passes them through the same list.
  const child = root.child;
  root.child = function censoredChild(this: Log, bindings, childOptions) {
    return child.call(this, censorSecrets(bindings), childOptions);
  } as Log['child'];
  return root;
}

/** A logger that writes nothing: the default for parts built without one (unit tests). */
export const quietLog: Log = pino({ level: 'silent' });

/**
 * An error in a line: its kind, its words cut to 300 plain characters, and its
 * system code (EADDRINUSE, SQLITE_BUSY); the stack only for errors that are not ours
 * (a bug to fix). Never the error's other properties, which may carry a request.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: plainText(String(err), 300) };
  const fields: Record<string, unknown> = { type: err.name, message: plainText(err.message, 300) };
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string') fields.errno = code;
  if (err.name !== 'RelaisError' && err.stack) fields.stack = err.stack.split('\n').slice(1, 8).map((line) => line.trim());
  return fields;
}

/** A request as a line may show it: method and route template, never the URL (paths and query strings can hold codes and tokens). */
function requestFields(req: { method?: string; routeTemplate?: string }): Record<string, unknown> {
  return { method: req.method, route: req.routeTemplate ?? null };
}

/** The words of an error for a log line's message (cut, plain). */
export function describeError(err: unknown): string {
  return plainText(err instanceof Error ? `${err.name}: ${err.message}` : String(err), 300);
}
