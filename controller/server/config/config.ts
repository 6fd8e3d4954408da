/**
 * The controller's configuration, read once by the composition root: node:util
 * parseArgs for the flags, then one zod schema over flags > environment variables >
 * defaults, frozen. Nothing else reads argv or the environment.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { redactDatabaseUrl } from '../store/database-url.js';
import { LOG_LEVELS, type LogLevel } from '../observability/logger.js';
import { hashToken } from '../observability/metrics-access.js';
import { FILE_LIMITS, LANGUAGES, LIMITS, optionValues, readCommandLine, thresholdsOverride, type Language, type OptionSpecs, type Thresholds } from '../../../protocol/index.js';
import { DEFAULT_CALENDAR_SETTINGS, businessCalendarSettings, type BusinessCalendarSettings } from '../../../protocol/business-calendar.js';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** A postgres:// URL: the store is that PostgreSQL database instead of SQLite in dataDir. Holds a password: never log it (redactDatabaseUrl). */
  readonly databaseUrl: string | null;
  /** Connections to PostgreSQL at most. */
  readonly databasePoolSize: number;
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
  /** How long an open shell stays on the agent with no console attached (RELAIS_SHELL_GRACE_MS). */
  readonly shellGraceMs: number;
  readonly supportCodeTtlMs: number;
  /** How long a managed device has to answer its authentication challenge. */
  readonly authChallengeMs: number;
  /** Overrides of the health checks' thresholds (protocol/findings.ts has the defaults). */
  readonly thresholds: Partial<Thresholds>;
  /** The business hours the tickets' SLA clocks run in (default: Monday to Friday, 08:00–18:00, Europe/Paris, French public holidays). */
  readonly businessHours: BusinessCalendarSettings;
  /** Unpinned diagnostics snapshots kept per device. */
  readonly snapshotsPerDevice: number;
  /** Audit entries older than this many days are pruned (audited); null keeps everything. */
  readonly auditRetentionDays: number | null;
  /** Ended support sessions (with their code, attended device and snapshots) are purged this many days after they ended. */
  readonly sessionRetentionDays: number;
  /** Support links one technician may have waiting (unused, unexpired) at once. */
  readonly maxWaitingLinks: number;
  /** Days after which a resolved ticket is closed by the controller. */
  readonly ticketAutoCloseDays: number;
  /** Days after a resolution during which the person may rate it (satisfaction survey). */
  readonly satisfactionExpiryDays: number;
  /** The language of people and accounts that state none (Accept-Language first, then this); null: English unless the browser asks for French. */
  readonly language: Language | null;
  /** Relayed shells are recorded (asciicast files under the data directory); --no-recording turns it off. */
  readonly recording: boolean;
  /** Recordings are deleted (file and row) this many days after they started. */
  readonly recordingRetentionDays: number;
  /** Largest recording file; past it the recording ends with a truncation marker. */
  readonly recordingMaxBytes: number;
  /** The least severe log lines written (pino levels; `silent` writes none). */
  readonly logLevel: LogLevel;
  /** This node's name in logs and metrics; null: hostname:port. */
  readonly nodeId: string | null;
  /** SHA-256 (hex) of --metrics-token: /metrics on the main port for that Bearer token; null: not served there. The token itself is not kept. */
  readonly metricsTokenHash: string | null;
  /** A separate address serving /metrics without a token; null: none. */
  readonly metricsListen: { readonly host: string; readonly port: number } | null;
  /** On SIGTERM, how long readiness fails before the server stops taking requests (time for the balancer to notice). */
  readonly drainSeconds: number;
  /** Where the agent executables are (scripts/build-agents.mjs); null: dist/agents beside the controller's bundle. */
  readonly agentsDir: string | null;
  /** Largest file sent to or fetched from a device (each agent checks its own limit too). */
  readonly fileMaxBytes: number;
  /** A redis:// URL: this controller is a node of a cluster sharing one PostgreSQL database; null: a single node. May hold a password: never log it. */
  readonly redisUrl: string | null;
  /** Put after `relais:` in every Redis key and channel, so several clusters (tests) share one Redis. */
  readonly redisPrefix: string;
  /** The secret the nodes of a cluster authenticate each other with (at least 32 characters); null without --redis-url. Never logged. */
  readonly clusterSecret: string | null;
  /** Where the other nodes reach this one directly (http(s)://host:port); null: http://<host>:<listening port>. */
  readonly nodeUrl: string | null;
}

export class ConfigError extends Error {}

/** Each flag, the environment variable that stands in for it, and the setting it fills. */
const FLAGS = {
  host: { env: 'RELAIS_HOST', key: 'host' },
  port: { env: 'RELAIS_PORT', key: 'port' },
  'data-dir': { env: 'RELAIS_DATA_DIR', key: 'dataDir' },
  'database-url': { env: 'RELAIS_DATABASE_URL', key: 'databaseUrl' },
  'database-pool-size': { env: 'RELAIS_DATABASE_POOL_SIZE', key: 'databasePoolSize' },
  'tls-cert': { env: 'RELAIS_TLS_CERT', key: 'tlsCert' },
  'tls-key': { env: 'RELAIS_TLS_KEY', key: 'tlsKey' },
  'org-name': { env: 'RELAIS_ORG_NAME', key: 'organization' },
  'public-url': { env: 'RELAIS_PUBLIC_URL', key: 'publicUrl' },
  thresholds: { env: 'RELAIS_THRESHOLDS_FILE', key: 'thresholdsFile' },
  'business-hours': { env: 'RELAIS_BUSINESS_HOURS_FILE', key: 'businessHoursFile' },
  'snapshots-per-device': { env: 'RELAIS_SNAPSHOTS_PER_DEVICE', key: 'snapshotsPerDevice' },
  'audit-retention-days': { env: 'RELAIS_AUDIT_RETENTION_DAYS', key: 'auditRetentionDays' },
  'session-retention-days': { env: 'RELAIS_SESSION_RETENTION_DAYS', key: 'sessionRetentionDays' },
  'max-waiting-links': { env: 'RELAIS_MAX_WAITING_LINKS', key: 'maxWaitingLinks' },
  'ticket-auto-close-days': { env: 'RELAIS_TICKET_AUTO_CLOSE_DAYS', key: 'ticketAutoCloseDays' },
  'satisfaction-expiry-days': { env: 'RELAIS_SATISFACTION_EXPIRY_DAYS', key: 'satisfactionExpiryDays' },
  lang: { env: 'RELAIS_LANG', key: 'language' },
  'recording-retention-days': { env: 'RELAIS_RECORDING_RETENTION_DAYS', key: 'recordingRetentionDays' },
  'recording-max-bytes': { env: 'RELAIS_RECORDING_MAX_BYTES', key: 'recordingMaxBytes' },
  'log-level': { env: 'RELAIS_LOG_LEVEL', key: 'logLevel' },
  'node-id': { env: 'RELAIS_NODE_ID', key: 'nodeId' },
  'metrics-token': { env: 'RELAIS_METRICS_TOKEN', key: 'metricsToken' },
  'metrics-listen': { env: 'RELAIS_METRICS_LISTEN', key: 'metricsListen' },
  'drain-seconds': { env: 'RELAIS_DRAIN_SECONDS', key: 'drainSeconds' },
  'agents-dir': { env: 'RELAIS_AGENTS_DIR', key: 'agentsDir' },
  'file-max-bytes': { env: 'RELAIS_FILE_MAX_BYTES', key: 'fileMaxBytes' },
  'redis-url': { env: 'RELAIS_REDIS_URL', key: 'redisUrl' },
  'redis-prefix': { env: 'RELAIS_REDIS_PREFIX', key: 'redisPrefix' },
  'cluster-secret-file': { env: 'RELAIS_CLUSTER_SECRET_FILE', key: 'clusterSecretFile' },
  'node-url': { env: 'RELAIS_NODE_URL', key: 'nodeUrl' },
} as const;

/** Settings read from the environment only. */
const ENV_ONLY = {
  adminPassword: 'RELAIS_ADMIN_PASSWORD',
  supportCodeTtlMs: 'RELAIS_SUPPORT_CODE_TTL_MS',
  heartbeatMs: 'RELAIS_HEARTBEAT_MS',
  shellGraceMs: 'RELAIS_SHELL_GRACE_MS',
  authChallengeMs: 'RELAIS_AUTH_CHALLENGE_MS',
  // The secret itself, not a file: --cluster-secret-file names a file instead.
  clusterSecret: 'RELAIS_CLUSTER_SECRET',
} as const;

const OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h' },
  // Added to RELAIS_ALLOWED_HOSTS rather than replacing it; each may list several, comma-separated.
  'allowed-host': { type: 'string', multiple: true },
  'trust-proxy': { type: 'boolean' },
  'no-recording': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' } as const])),
};

/** An --allowed-host entry: a name or address with an optional :port (no scheme or wildcard), lowercased. */
const allowedHost = z
  .string()
  .transform((entry) => entry.toLowerCase())
  .pipe(z.string().regex(/^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/));

/** A whole number from min to max (the retention settings). */
const wholeNumber = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const optionalPath = z.string().optional().transform((path) => (path === undefined ? null : resolve(path)));

/** `host:port` or `[v6]:port` for the metrics address. */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/)
  .transform((text) => {
    const at = text.lastIndexOf(':');
    return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
  })
  .refine((address) => address.port <= 65535);

/** Every setting from its text (flag or environment), with its default; the words of each refusal are in REFUSALS. */
const settings = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    dataDir: z.string().default('data').transform((path) => resolve(path)),
    databaseUrl: z
      .url({ protocol: /^postgres(ql)?$/ })
      .optional()
      .transform((url) => url ?? null),
    databasePoolSize: wholeNumber(1, 1000).default(10),
    tlsCert: optionalPath,
    tlsKey: optionalPath,
    organization: z.string().default('Relais Helpdesk').transform((name) => name.slice(0, 128)),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .transform((url) => (url === undefined ? null : new URL(url).origin)),
    allowedHosts: z.array(allowedHost).default([]).transform((hosts) => Object.freeze(hosts)),
    trustProxy: z.boolean().default(false),
    thresholdsFile: z.string().optional(),
    businessHoursFile: z.string().optional(),
    adminPassword: z.string().optional().transform((password) => password ?? null),
    supportCodeTtlMs: z.coerce.number().int().min(1000).default(10 * 60 * 1000),
    heartbeatMs: z.coerce.number().int().min(1000).default(15_000),
    shellGraceMs: z.coerce.number().int().min(100).max(24 * 60 * 60 * 1000).default(LIMITS.shellGraceMs),
    authChallengeMs: z.coerce.number().int().min(100).max(60_000).default(LIMITS.authChallengeMs),
    snapshotsPerDevice: wholeNumber(2, 100_000).default(200),
    auditRetentionDays: wholeNumber(1, 100_000).optional().transform((days) => days ?? null),
    sessionRetentionDays: wholeNumber(1, 100_000).default(30),
    maxWaitingLinks: wholeNumber(1, 10_000).default(20),
    ticketAutoCloseDays: wholeNumber(1, 3650).default(7),
    satisfactionExpiryDays: z.coerce.number().min(0.00001).max(365).default(7),
    language: z.enum(LANGUAGES).optional().transform((language) => language ?? null),
    recording: z.boolean().default(true),
    recordingRetentionDays: wholeNumber(1, 100_000).default(30),
    recordingMaxBytes: wholeNumber(64 * 1024, 64 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    nodeId: z.string().regex(/^[A-Za-z0-9._:@-]{1,64}$/).optional().transform((id) => id ?? null),
    // Hashed at once: the configuration never holds the token itself.
    metricsToken: z.string().min(16).max(1024).regex(/^\S+$/).optional().transform((token) => (token === undefined ? null : hashToken(token))),
    metricsListen: listenAddress.optional().transform((address) => address ?? null),
    drainSeconds: wholeNumber(0, 300).default(0),
    agentsDir: optionalPath,
    fileMaxBytes: wholeNumber(1, FILE_LIMITS.maxBytes).default(FILE_LIMITS.defaultMaxBytes),
    redisUrl: z
      .url({ protocol: /^rediss?$/ })
      .optional()
      .transform((url) => url ?? null),
    redisPrefix: z.string().regex(/^[A-Za-z0-9._-]{0,64}$/).default('').transform((prefix) => (prefix === '' ? '' : `${prefix}:`)),
    clusterSecretFile: z.string().optional(),
    clusterSecret: z.string().optional(),
    nodeUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .transform((url) => (url === undefined ? null : new URL(url).origin)),
  })
  .refine((s) => (s.tlsCert === null) === (s.tlsKey === null), { message: 'TLS needs both --tls-cert and --tls-key.', path: ['tls'] })
  // SQLite lives in one data folder: only PostgreSQL can be shared by several nodes.
  .refine((s) => s.redisUrl === null || s.databaseUrl !== null, { path: ['clusterDatabase'] })
  .refine((s) => s.redisUrl === null || s.nodeUrl !== null || !WILDCARD_HOSTS.includes(s.host), { path: ['clusterNodeUrl'] });

type SettingsInput = Partial<z.input<typeof settings>>;

/** Addresses that listen on every interface: they say nothing of where the other nodes reach this one. */
const WILDCARD_HOSTS = ['0.0.0.0', '::', '[::]', ''];

/** The shortest cluster secret taken (e.g. openssl rand -hex 32 gives 64 characters). */
export const MIN_CLUSTER_SECRET_CHARS = 32;

/** What the operator reads when a setting is refused, by setting (the raw text given, when it helps). */
const REFUSALS: Partial<Record<keyof SettingsInput | 'tls' | 'clusterDatabase' | 'clusterNodeUrl', (raw: unknown) => string>> = {
  allowedHosts: (raw) => `--allowed-host takes a host name or address with an optional :port (no scheme, path or wildcard), got "${raw}".`,
  port: (raw) => `Port must be a number from 0 to 65535, got "${raw}".`,
  publicUrl: (raw) => `--public-url must be an http(s) URL, got "${raw}".`,
  databaseUrl: (raw) => `--database-url must be a postgres:// URL (postgres://user:password@host:5432/database), got "${redactDatabaseUrl(String(raw))}".`,
  databasePoolSize: (raw) => `--database-pool-size must be a whole number from 1 to 1000, got "${raw}".`,
  supportCodeTtlMs: () => 'RELAIS_SUPPORT_CODE_TTL_MS must be at least 1000.',
  heartbeatMs: () => 'RELAIS_HEARTBEAT_MS must be at least 1000.',
  shellGraceMs: () => 'RELAIS_SHELL_GRACE_MS must be from 100 to 86400000.',
  authChallengeMs: () => 'RELAIS_AUTH_CHALLENGE_MS must be from 100 to 60000.',
  tls: () => 'TLS needs both --tls-cert and --tls-key.',
  snapshotsPerDevice: (raw) => `--snapshots-per-device must be a whole number from 2 to 100000, got "${raw}".`,
  auditRetentionDays: (raw) => `--audit-retention-days must be a whole number from 1 to 100000, got "${raw}".`,
  sessionRetentionDays: (raw) => `--session-retention-days must be a whole number from 1 to 100000, got "${raw}".`,
  maxWaitingLinks: (raw) => `--max-waiting-links must be a whole number from 1 to 10000, got "${raw}".`,
  ticketAutoCloseDays: (raw) => `--ticket-auto-close-days must be a whole number from 1 to 3650, got "${raw}".`,
  satisfactionExpiryDays: (raw) => `--satisfaction-expiry-days must be a number of days from 0.00001 to 365 (fractions allowed, e.g. 0.5), got "${raw}".`,
  language: (raw) => `--lang must be fr or en, got "${raw}".`,
  recordingRetentionDays: (raw) => `--recording-retention-days must be a whole number from 1 to 100000, got "${raw}".`,
  recordingMaxBytes: (raw) => `--recording-max-bytes must be a whole number of bytes from 65536 (64 KiB) to 68719476736 (64 GiB), got "${raw}".`,
  logLevel: (raw) => `--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${raw}".`,
  nodeId: (raw) => `--node-id takes 1 to 64 letters, digits or . _ : @ -, got "${raw}".`,
  // Never the value: it is a secret.
  metricsToken: () => '--metrics-token must be 16 to 1024 characters without spaces (e.g. openssl rand -hex 32).',
  metricsListen: (raw) => `--metrics-listen takes host:port, e.g. 127.0.0.1:9464 or [::1]:9464, got "${raw}".`,
  drainSeconds: (raw) => `--drain-seconds must be a whole number from 0 to 300, got "${raw}".`,
  fileMaxBytes: (raw) => `--file-max-bytes must be a whole number of bytes from 1 to 1099511627776 (1 TiB), got "${raw}".`,
  // The URL may hold a password: it is not repeated.
  redisUrl: () => '--redis-url must be a redis:// or rediss:// URL, e.g. redis://10.0.0.9:6379.',
  redisPrefix: (raw) => `--redis-prefix takes up to 64 letters, digits or . _ -, got "${raw}".`,
  nodeUrl: (raw) => `--node-url must be an http(s) URL where the other nodes reach this one, e.g. http://10.0.0.5:8080, got "${raw}".`,
  clusterDatabase: () => '--redis-url makes this controller a cluster node: the nodes share one PostgreSQL database, so --database-url (RELAIS_DATABASE_URL) is needed too; SQLite cannot be shared.',
  clusterNodeUrl: (raw) => `--redis-url with --host ${raw === undefined ? '' : raw} (every interface) needs --node-url (RELAIS_NODE_URL): the address the other nodes reach this one at, e.g. http://10.0.0.5:8080.`,
};

export const USAGE = `Usage: npm start -- [options]

  --host ADDR        address to listen on (RELAIS_HOST, default 127.0.0.1)
  --port N           port to listen on, 0 for any free port (RELAIS_PORT, default 8080)
  --data-dir DIR     where the SQLite database and recordings live (RELAIS_DATA_DIR, default ./data)
  --database-url URL store in PostgreSQL instead of SQLite, e.g. postgres://relais:secret@db:5432/relais (RELAIS_DATABASE_URL)
  --database-pool-size N      connections to PostgreSQL at most (RELAIS_DATABASE_POOL_SIZE, default 10)
  --tls-cert FILE    PEM certificate: serve https and wss (RELAIS_TLS_CERT)
  --tls-key FILE     PEM private key for --tls-cert (RELAIS_TLS_KEY)
  --org-name NAME    organisation shown to the people you help (RELAIS_ORG_NAME, default "Relais Helpdesk")
  --public-url URL   base URL used in support links, e.g. behind a proxy (RELAIS_PUBLIC_URL)
  --allowed-host H   another name this controller answers to, e.g. help.example.com or 10.0.0.5:8080;
                     repeatable (RELAIS_ALLOWED_HOSTS, comma-separated). Other Host headers are refused
  --trust-proxy      behind a reverse proxy: the client address is the last X-Forwarded-For entry (RELAIS_TRUST_PROXY=1)
  --thresholds FILE  JSON overriding health-check thresholds, e.g. {"diskWarnPercent": 85} (RELAIS_THRESHOLDS_FILE)
  --business-hours FILE  JSON setting the business hours the tickets' SLA clocks run in, any of
                     {"timeZone": "Europe/Paris", "workingDays": [1,2,3,4,5], "opens": "08:00", "closes": "18:00", "holidays": ["2026-12-25"]}
                     (RELAIS_BUSINESS_HOURS_FILE, default: those, with the French public holidays)
  --snapshots-per-device N    diagnostics snapshots kept per device, besides pinned ones (RELAIS_SNAPSHOTS_PER_DEVICE, default 200)
  --audit-retention-days N    prune audit entries older than N days, itself audited (RELAIS_AUDIT_RETENTION_DAYS, default: keep everything)
  --session-retention-days N  purge ended support sessions N days after they ended (RELAIS_SESSION_RETENTION_DAYS, default 30)
  --max-waiting-links N       support links one technician may have waiting at once (RELAIS_MAX_WAITING_LINKS, default 20)
  --ticket-auto-close-days N  close a resolved ticket N days after its resolution (RELAIS_TICKET_AUTO_CLOSE_DAYS, default 7)
  --satisfaction-expiry-days N  the person may rate a resolution for N days (RELAIS_SATISFACTION_EXPIRY_DAYS, default 7; fractions allowed)
  --lang fr|en       language for people and accounts that choose none, after their browser's (RELAIS_LANG)
  --no-recording     do not record relayed shells; the person is then not told they are (RELAIS_NO_RECORDING=1)
  --recording-retention-days N  delete shell recordings N days after they started (RELAIS_RECORDING_RETENTION_DAYS, default 30)
  --recording-max-bytes N       largest recording file, then it is cut with a marker (RELAIS_RECORDING_MAX_BYTES, default 67108864, 64 MiB)
  --log-level L      fatal, error, warn, info, debug, trace or silent (RELAIS_LOG_LEVEL, default info); logs are JSON lines on stdout
  --node-id ID       this node's name in logs and metrics (RELAIS_NODE_ID, default hostname:port)
  --metrics-token T  serve Prometheus metrics at /metrics on this port to "Authorization: Bearer T", at least 16 characters
                     (RELAIS_METRICS_TOKEN: prefer the variable, the process list shows flags)
  --metrics-listen HOST:PORT    serve /metrics without a token on a separate address, e.g. 127.0.0.1:9464 (RELAIS_METRICS_LISTEN)
  --drain-seconds N  on SIGTERM, answer "not ready" for N seconds before closing, so a balancer stops sending (RELAIS_DRAIN_SECONDS, default 0)
  --agents-dir DIR   the agent executables the support page offers (RELAIS_AGENTS_DIR, default dist/agents, made by npm run build:agents)
  --file-max-bytes N            largest file sent to or fetched from a device (RELAIS_FILE_MAX_BYTES, default 2147483648, 2 GiB)
  --redis-url URL    make this controller a node of a cluster: nodes share one PostgreSQL (--database-url needed) and
                     tell each other through Redis, e.g. redis://10.0.0.9:6379 (RELAIS_REDIS_URL)
  --cluster-secret-file FILE    the secret the nodes authenticate each other with, the same on every node, at least
                     32 characters (RELAIS_CLUSTER_SECRET holds the secret itself); needed with --redis-url
  --node-url URL     where the other nodes reach this one directly, not through the balancer, e.g. http://10.0.0.5:8080
                     (RELAIS_NODE_URL, default http://<host>:<port>; needed when --host listens on every interface)
  --redis-prefix P   put after relais: in every Redis key, so several clusters share one Redis (RELAIS_REDIS_PREFIX)

  RELAIS_ADMIN_PASSWORD       password of the first "admin" account (else a random one is printed once)
  RELAIS_SUPPORT_CODE_TTL_MS  how long an unused support code lives (default 600000, 10 minutes)
  RELAIS_HEARTBEAT_MS         how often connections are pinged (default 15000)
  RELAIS_SHELL_GRACE_MS       how long a shell stays open with no technician's page attached (default 120000, 2 minutes)
  RELAIS_AUTH_CHALLENGE_MS    how long a managed device has to answer its challenge (default 10000)`;

/** Parses argv and env into a frozen Config, or throws ConfigError with a message for the operator. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const read = readCommandLine(argv, (shown) => parseArgs({ args: shown, options: OPTIONS, strict: false, allowPositionals: true, tokens: true }).tokens, OPTIONS, { stopAt: ['help'] });
  if (!read.ok) {
    if (read.problem === 'unknown-option') throw new ConfigError(`Unknown option ${read.option}.\n\n${USAGE}`);
    throw new ConfigError(read.problem === 'needs-value' ? `Option ${read.option} needs a value.` : `Option ${read.option} takes no value.`);
  }
  if (read.values.has('help')) throw new ConfigError(USAGE);
  // The controller takes no arguments, only options.
  if (read.positionals.length > 0) throw new ConfigError(`Unknown option ${read.positionals[0]}.\n\n${USAGE}`);

  // Flags win over environment variables; an empty variable counts as unset.
  const given: SettingsInput = {};
  for (const [name, key] of Object.entries(ENV_ONLY)) if (env[key]) given[name as keyof typeof ENV_ONLY] = env[key];
  for (const [flag, { env: name, key }] of Object.entries(FLAGS)) {
    const values = read.values.get(flag);
    const value = Array.isArray(values) ? values[values.length - 1] : env[name] || undefined;
    if (value !== undefined) given[key] = value;
  }
  const hostLists = [env.RELAIS_ALLOWED_HOSTS ?? '', ...optionValues(read.values, 'allowed-host')];
  given.allowedHosts = hostLists.flatMap((list) => list.split(',').map((h) => h.trim()).filter(Boolean));
  given.trustProxy = read.values.has('trust-proxy') || env.RELAIS_TRUST_PROXY === '1' || env.RELAIS_TRUST_PROXY === 'true';
  given.recording = !(read.values.has('no-recording') || env.RELAIS_NO_RECORDING === '1' || env.RELAIS_NO_RECORDING === 'true');
  const parsed = settings.safeParse(given);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path ?? [];
    const field = String(path[0] ?? '') as keyof typeof REFUSALS;
    const refusal = REFUSALS[field];
    // The raw text given: for a list, the entry refused.
    const raw = field === 'allowedHosts' ? given.allowedHosts?.[Number(path[1])] : field === 'clusterNodeUrl' ? (given.host ?? '') : given[field as keyof SettingsInput];
    throw new ConfigError(refusal ? refusal(raw) : `Invalid setting ${field}: ${parsed.error.issues[0]?.message}.`);
  }
  const { thresholdsFile, businessHoursFile, metricsToken, clusterSecretFile, clusterSecret, ...config } = parsed.data;
  return Object.freeze({
    ...config,
    clusterSecret: config.redisUrl === null ? null : readClusterSecret(clusterSecretFile, clusterSecret),
    metricsTokenHash: metricsToken,
    thresholds: Object.freeze(readThresholds(thresholdsFile)),
    businessHours: readBusinessHours(businessHoursFile),
  });
}

/** The cluster secret, from its file (trimmed) or the variable; ConfigError when missing or short. The secret is never in a message. */
function readClusterSecret(file: string | undefined, value: string | undefined): string {
  let secret = value;
  if (file) {
    try {
      secret = readFileSync(resolve(file), 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`Could not read the cluster secret file ${resolve(file)}: ${(err as Error).message}`);
    }
  }
  if (secret === undefined || secret === '') {
    throw new ConfigError('--redis-url needs the cluster secret the nodes authenticate each other with: --cluster-secret-file FILE or RELAIS_CLUSTER_SECRET (at least 32 characters, the same on every node; e.g. openssl rand -hex 32).');
  }
  if (secret.length < MIN_CLUSTER_SECRET_CHARS) {
    throw new ConfigError(`The cluster secret is ${secret.length} characters long; it needs at least ${MIN_CLUSTER_SECRET_CHARS} (e.g. openssl rand -hex 32).`);
  }
  return secret;
}

/** A JSON settings file, or ConfigError naming the file and what went wrong. */
function readJsonFile(path: string, what: string): unknown {
  const file = resolve(path);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Could not read the ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** The business-hours file: any of the calendar's settings over the default ones, checked whole (a zone that exists, opening before closing). */
function readBusinessHours(path: string | undefined): BusinessCalendarSettings {
  if (!path) return DEFAULT_CALENDAR_SETTINGS;
  const raw = readJsonFile(path, 'business hours');
  const known = Object.keys(DEFAULT_CALENDAR_SETTINGS);
  const invalid = (what: string) => new ConfigError(
    `The business hours file ${resolve(path)} is invalid: ${what}. ` +
      'It takes any of timeZone (e.g. "Europe/Paris"), workingDays (1 = Monday … 7 = Sunday), opens and closes ("08:00", "24:00"), holidays (["2026-12-25"]).',
  );
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('top level must be an object');
  const unknown = Object.keys(raw).find((key) => !known.includes(key));
  if (unknown !== undefined) throw invalid(`unknown setting "${unknown}"`);
  const parsed = businessCalendarSettings.safeParse({ ...DEFAULT_CALENDAR_SETTINGS, ...raw });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') || 'top level'} ${issue?.message}`);
  }
  return Object.freeze({ ...parsed.data, workingDays: Object.freeze(parsed.data.workingDays), holidays: Object.freeze(parsed.data.holidays) }) as BusinessCalendarSettings;
}

/** The health-check thresholds file, validated against protocol's names; none: no overrides. */
function readThresholds(path: string | undefined): Partial<Thresholds> {
  if (!path) return {};
  const file = resolve(path);
  const raw = readJsonFile(path, 'thresholds');
  const parsed = thresholdsOverride.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`The thresholds file ${file} is invalid: ${issue?.path.join('.') || 'top level'} ${issue?.message}. Known names are in protocol/findings.ts.`);
  }
  return parsed.data as Partial<Thresholds>;
}
