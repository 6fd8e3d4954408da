/**
 * The one list of what never reaches a log line, applied by the logger to every
 * line and every child's bindings, whoever logs them: the value of any field named
 * here, at any depth (a password inside a request inside an event is still a
 * password), is replaced by REDACTED. Names are matched without regard to case, so
 * `Authorization`, `Set-Cookie` and `authorization` are one. Whole request bodies and
 * query strings are in the list: they are never meant to be logged.
 *
 * It walks the fields rather than using pino's path redaction: wildcard paths there
 * cost tens of microseconds a line, this a fraction of one, and it reaches any depth.
 */
export const REDACTED = '[redacted]';

export const SECRET_KEYS: ReadonlySet<string> = new Set(
  [
    // Credentials by name.
    'password', 'newPassword', 'adminPassword', 'current', 'next', 'token', 'apiToken', 'resumeToken', 'enrollmentToken', 'metricsToken',
    'secret', 'clusterSecret', 'code', 'supportCode', 'privateKey', 'signature',
    // Headers that carry them.
    'authorization', 'cookie', 'set-cookie', 'x-metrics-token',
    // What is never meant to be logged whole: it holds whatever the client sent.
    'body', 'query',
  ].map((key) => key.toLowerCase()),
);

/** Deep enough for any line we write (a request's headers are three levels down); deeper values are cut. */
const MAX_DEPTH = 6;

/** `fields` with every secret value replaced; the object is copied only where something changes. Errors are left to the err serializer. */
export function censorSecrets<T>(fields: T): T {
  return censor(fields, 0) as T;
}

function censor(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, index) => {
      const censored = censor(item, depth + 1);
      if (censored !== item) (copy ??= [...value])[index] = censored;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const censored = SECRET_KEYS.has(key.toLowerCase()) ? (item === undefined ? item : REDACTED) : censor(item, depth + 1);
    if (censored !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = censored;
  }
  return copy ?? value;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
