/** The controller's configuration: flags win over environment variables, which win over defaults. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LIMITS, thresholdsOverride, type Thresholds } from '../../../protocol/index.js';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly organization: string;
  /** Base URL put in support links, and an own origin; null means "the own address the technician used". */
  readonly publicUrl: string | null;
  /** Extra Host names the controller answers to (DNS rebinding defence): `name` or `name:port`, lowercase. */
  readonly allowedHosts: readonly string[];
  /** Take the client address from X-Forwarded-For (the entry the reverse proxy appended). */
  readonly trustProxy: boolean;
  /** Only read when no technician account exists yet. */
  readonly adminPassword: string | null;
  readonly heartbeatMs: number;
  readonly supportCodeTtlMs: number;
  /** How long a managed device has to answer its authentication challenge. */
  readonly authChallengeMs: number;
  /** Overrides of the health checks' thresholds (protocol/findings.ts has the defaults). */
  readonly thresholds: Partial<Thresholds>;
  /** Unpinned diagnostics snapshots kept per device. */
  readonly snapshotsPerDevice: number;
  /** Audit entries older than this many days are pruned (audited); null keeps everything. */
  readonly auditRetentionDays: number | null;
  /** Ended support sessions (with their code, attended device and snapshots) are purged this many days after they ended. */
  readonly sessionRetentionDays: number;
  /** Support links one technician may have waiting (unused, unexpired) at once. */
  readonly maxWaitingLinks: number;
}

export class ConfigError extends Error {}

const FLAGS: Record<string, { env: string; key: keyof Config }> = {
  '--host': { env: 'RELAIS_HOST', key: 'host' },
  '--port': { env: 'RELAIS_PORT', key: 'port' },
  '--data-dir': { env: 'RELAIS_DATA_DIR', key: 'dataDir' },
  '--tls-cert': { env: 'RELAIS_TLS_CERT', key: 'tlsCert' },
  '--tls-key': { env: 'RELAIS_TLS_KEY', key: 'tlsKey' },
  '--org-name': { env: 'RELAIS_ORG_NAME', key: 'organization' },
  '--public-url': { env: 'RELAIS_PUBLIC_URL', key: 'publicUrl' },
  '--thresholds': { env: 'RELAIS_THRESHOLDS_FILE', key: 'thresholds' },
  '--snapshots-per-device': { env: 'RELAIS_SNAPSHOTS_PER_DEVICE', key: 'snapshotsPerDevice' },
  '--audit-retention-days': { env: 'RELAIS_AUDIT_RETENTION_DAYS', key: 'auditRetentionDays' },
  '--session-retention-days': { env: 'RELAIS_SESSION_RETENTION_DAYS', key: 'sessionRetentionDays' },
  '--max-waiting-links': { env: 'RELAIS_MAX_WAITING_LINKS', key: 'maxWaitingLinks' },
};

export const USAGE = `Usage: npm start -- [options]

  --host ADDR        address to listen on (RELAIS_HOST, default 127.0.0.1)
  --port N           port to listen on, 0 for any free port (RELAIS_PORT, default 8080)
  --data-dir DIR     where the SQLite database lives (RELAIS_DATA_DIR, default ./data)
  --tls-cert FILE    PEM certificate: serve https and wss (RELAIS_TLS_CERT)
  --tls-key FILE     PEM private key for --tls-cert (RELAIS_TLS_KEY)
  --org-name NAME    organisation shown to the people you help (RELAIS_ORG_NAME, default "Relais Helpdesk")
  --public-url URL   base URL used in support links, e.g. behind a proxy (RELAIS_PUBLIC_URL)
  --allowed-host H   another name this controller answers to, e.g. help.example.com or 10.0.0.5:8080;
                     repeatable (RELAIS_ALLOWED_HOSTS, comma-separated). Other Host headers are refused
  --trust-proxy      behind a reverse proxy: the client address is the last X-Forwarded-For entry (RELAIS_TRUST_PROXY=1)
  --thresholds FILE  JSON overriding health-check thresholds, e.g. {"diskWarnPercent": 85} (RELAIS_THRESHOLDS_FILE)
  --snapshots-per-device N    diagnostics snapshots kept per device, besides pinned ones (RELAIS_SNAPSHOTS_PER_DEVICE, default 200)
  --audit-retention-days N    prune audit entries older than N days, itself audited (RELAIS_AUDIT_RETENTION_DAYS, default: keep everything)
  --session-retention-days N  purge ended support sessions N days after they ended (RELAIS_SESSION_RETENTION_DAYS, default 30)
  --max-waiting-links N       support links one technician may have waiting at once (RELAIS_MAX_WAITING_LINKS, default 20)

  RELAIS_ADMIN_PASSWORD       password of the first "admin" account (else a random one is printed once)
  RELAIS_SUPPORT_CODE_TTL_MS  how long an unused support code lives (default 600000, 10 minutes)
  RELAIS_HEARTBEAT_MS         how often connections are pinged (default 15000)
  RELAIS_AUTH_CHALLENGE_MS    how long a managed device has to answer its challenge (default 10000)`;

/** Parses argv and env into a frozen Config, or throws ConfigError with a message for the operator. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const given: Partial<Record<keyof Config, string>> = {};
  const allowedHosts = (env.RELAIS_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  let trustProxy = env.RELAIS_TRUST_PROXY === '1' || env.RELAIS_TRUST_PROXY === 'true';
  for (const spec of Object.values(FLAGS)) {
    const value = env[spec.env];
    if (value !== undefined && value !== '') given[spec.key] = value;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new ConfigError(USAGE);
    if (arg === '--trust-proxy') {
      trustProxy = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--allowed-host') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new ConfigError('Option --allowed-host needs a value.');
      allowedHosts.push(...value.split(',').map((h) => h.trim()).filter(Boolean));
      continue;
    }
    const spec = FLAGS[flag!];
    if (!spec) throw new ConfigError(`Unknown option ${flag}.\n\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new ConfigError(`Option ${flag} needs a value.`);
    given[spec.key] = value;
  }

  const port = given.port === undefined ? 8080 : Number(given.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`Port must be a number from 0 to 65535, got "${given.port}".`);
  const tlsCert = given.tlsCert ?? null;
  const tlsKey = given.tlsKey ?? null;
  if ((tlsCert === null) !== (tlsKey === null)) throw new ConfigError('TLS needs both --tls-cert and --tls-key.');
  let publicUrl = given.publicUrl ?? null;
  if (publicUrl !== null) {
    try {
      const url = new URL(publicUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
      publicUrl = url.origin;
    } catch {
      throw new ConfigError(`--public-url must be an http(s) URL, got "${publicUrl}".`);
    }
  }
  const supportCodeTtlMs = env.RELAIS_SUPPORT_CODE_TTL_MS ? Number(env.RELAIS_SUPPORT_CODE_TTL_MS) : 10 * 60 * 1000;
  if (!Number.isInteger(supportCodeTtlMs) || supportCodeTtlMs < 1000) throw new ConfigError('RELAIS_SUPPORT_CODE_TTL_MS must be at least 1000.');
  const heartbeatMs = env.RELAIS_HEARTBEAT_MS ? Number(env.RELAIS_HEARTBEAT_MS) : 15_000;
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 1000) throw new ConfigError('RELAIS_HEARTBEAT_MS must be at least 1000.');

  const authChallengeMs = env.RELAIS_AUTH_CHALLENGE_MS ? Number(env.RELAIS_AUTH_CHALLENGE_MS) : LIMITS.authChallengeMs;
  if (!Number.isInteger(authChallengeMs) || authChallengeMs < 100 || authChallengeMs > 60_000) throw new ConfigError('RELAIS_AUTH_CHALLENGE_MS must be from 100 to 60000.');

  let thresholds: Partial<Thresholds> = {};
  if (given.thresholds) {
    const file = resolve(given.thresholds);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`Could not read the thresholds file ${file}: ${(err as Error).message}`);
    }
    const parsed = thresholdsOverride.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`The thresholds file ${file} is invalid: ${issue?.path.join('.') || 'top level'} ${issue?.message}. Known names are in protocol/findings.ts.`);
    }
    thresholds = parsed.data as Partial<Thresholds>;
  }

  const snapshotsPerDevice = wholeNumber(given.snapshotsPerDevice, 200, '--snapshots-per-device', 2, 100_000);
  const auditRetentionDays = given.auditRetentionDays === undefined ? null : wholeNumber(given.auditRetentionDays, 0, '--audit-retention-days', 1, 100_000);
  const sessionRetentionDays = wholeNumber(given.sessionRetentionDays, 30, '--session-retention-days', 1, 100_000);
  const maxWaitingLinks = wholeNumber(given.maxWaitingLinks, 20, '--max-waiting-links', 1, 10_000);

  return Object.freeze({
    host: given.host ?? '127.0.0.1',
    port,
    dataDir: resolve(given.dataDir ?? 'data'),
    tlsCert: tlsCert && resolve(tlsCert),
    tlsKey: tlsKey && resolve(tlsKey),
    organization: (given.organization ?? 'Relais Helpdesk').slice(0, 128),
    publicUrl,
    allowedHosts: Object.freeze(allowedHosts.map(allowedHost)),
    trustProxy,
    adminPassword: env.RELAIS_ADMIN_PASSWORD ? env.RELAIS_ADMIN_PASSWORD : null,
    heartbeatMs,
    supportCodeTtlMs,
    authChallengeMs,
    thresholds: Object.freeze(thresholds),
    snapshotsPerDevice,
    auditRetentionDays,
    sessionRetentionDays,
    maxWaitingLinks,
  });
}

/** Checks one --allowed-host entry (a name or address, optional :port, no scheme or wildcard) and lowercases it. */
function allowedHost(entry: string): string {
  const host = entry.toLowerCase();
  if (!/^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(host)) {
    throw new ConfigError(`--allowed-host takes a host name or address with an optional :port (no scheme, path or wildcard), got "${entry}".`);
  }
  return host;
}

/** A whole number option from min to max, or its default when not given. */
function wholeNumber(value: string | undefined, fallback: number, flag: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}
