/**
 * The three command lines on node:util parseArgs and protocol's readCommandLine:
 * the controller's config (flags > environment > defaults, zod-checked, frozen)
 * and the `relais` CLI keep their flags, variables and words. The agent's is in
 * agent-cli.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCommandLine, type OptionSpecs } from '../../protocol/index.js';
import { ConfigError, USAGE, loadConfig } from '../../controller/server/config/config.js';
import { DEFAULT_CALENDAR_SETTINGS } from '../../protocol/business-calendar.js';
import { parseArgs as parseCli } from '../../controller/cli/args.js';
import { CliError } from '../../controller/cli/cli-errors.js';
import { newId } from '../../controller/server/auth/tokens.js';

function read(args: string[], specs: OptionSpecs, rules?: Parameters<typeof readCommandLine>[3]) {
  return readCommandLine(args, (shown) => parseArgs({ args: shown, options: specs, strict: false, allowPositionals: true, tokens: true }).tokens, specs, rules);
}

describe('readCommandLine', () => {
  const specs: OptionSpecs = { name: { type: 'string' }, tag: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };

  it('reads values inline or after, repeated values in order, flags, and positionals around them', () => {
    const r = read(['a', '--name=x', '--tag', 't1', 'b', '--json', '--tag=t2', '--', '--not-an-option'], specs);
    expect(r).toEqual({ ok: true, positionals: ['a', 'b', '--not-an-option'], values: new Map<string, unknown>([['name', ['x']], ['tag', ['t1', 't2']], ['json', true]]) });
  });

  it('names the first problem: unknown option, missing or empty value, a value for a flag', () => {
    expect(read(['--bogus=1'], specs)).toEqual({ ok: false, problem: 'unknown-option', option: '--bogus' });
    expect(read(['-x'], specs)).toEqual({ ok: false, problem: 'unknown-option', option: '-x' });
    expect(read(['--name'], specs)).toEqual({ ok: false, problem: 'needs-value', option: '--name' });
    expect(read(['--name='], specs)).toEqual({ ok: false, problem: 'needs-value', option: '--name' });
    expect(read(['--json=yes'], specs)).toEqual({ ok: false, problem: 'takes-no-value', option: '--json' });
  });

  it('a value may start with a dash; dash positionals and --help stop where the program says', () => {
    expect(read(['--name', '-5'], specs)).toMatchObject({ ok: true, values: new Map([['name', ['-5']]]) });
    expect(read(['-482', 'x'], specs, { dashPositional: (a) => /^-\d/.test(a) })).toMatchObject({ ok: true, positionals: ['-482', 'x'] });
    expect(read(['-h', '--bogus'], specs, { stopAt: ['help'] })).toMatchObject({ ok: true, values: new Map([['help', true]]) });
    expect(read(['--bogus', '-h'], specs, { stopAt: ['help'] })).toMatchObject({ ok: false, option: '--bogus' });
  });
});

describe('the controller config', () => {
  const configError = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      loadConfig(argv, env);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it('defaults, frozen', () => {
    const config = loadConfig([], {});
    expect(config).toEqual({
      host: '127.0.0.1', port: 8080, dataDir: resolve('data'), databaseUrl: null, databasePoolSize: 10, tlsCert: null, tlsKey: null, organization: 'Relais Helpdesk', publicUrl: null,
      allowedHosts: [], trustProxy: false, adminPassword: null, heartbeatMs: 15_000, shellGraceMs: 120_000, supportCodeTtlMs: 600_000, authChallengeMs: 10_000, thresholds: {},
      businessHours: DEFAULT_CALENDAR_SETTINGS,
      snapshotsPerDevice: 200, auditRetentionDays: null, sessionRetentionDays: 30, maxWaitingLinks: 20, ticketAutoCloseDays: 7, language: null,
      recording: true, recordingRetentionDays: 30, recordingMaxBytes: 64 * 1024 * 1024, agentsDir: null, fileMaxBytes: 2 * 1024 * 1024 * 1024,
      logLevel: 'info', nodeId: null, metricsTokenHash: null, metricsListen: null, drainSeconds: 0, satisfactionExpiryDays: 7,
      redisUrl: null, redisPrefix: '', clusterSecret: null, nodeUrl: null,
    });
    expect(loadConfig(['--agents-dir', 'build/agents'], {}).agentsDir).toBe(resolve('build/agents'));
    expect(loadConfig([], { RELAIS_AGENTS_DIR: '/srv/agents' }).agentsDir).toBe('/srv/agents');
    expect(loadConfig(['--file-max-bytes', '1000'], {}).fileMaxBytes).toBe(1000);
    expect(loadConfig([], { RELAIS_FILE_MAX_BYTES: '5000' }).fileMaxBytes).toBe(5000);
    expect(() => loadConfig(['--file-max-bytes', '0'], {})).toThrow(/--file-max-bytes must be a whole number of bytes from 1 to 1099511627776/);
    expect(loadConfig(['--no-recording', '--recording-retention-days', '7', '--recording-max-bytes=1000000'], {})).toMatchObject({ recording: false, recordingRetentionDays: 7, recordingMaxBytes: 1_000_000 });
    expect(loadConfig([], { RELAIS_NO_RECORDING: '1' }).recording).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.thresholds)).toBe(true);
  });

  it('a PostgreSQL store from --database-url or RELAIS_DATABASE_URL; a refusal never shows the password', () => {
    const url = 'postgres://relais:s3cret-pw@db.example:5432/relais';
    expect(loadConfig(['--database-url', url, '--database-pool-size', '25'], {})).toMatchObject({ databaseUrl: url, databasePoolSize: 25 });
    expect(loadConfig([], { RELAIS_DATABASE_URL: 'postgresql://db/relais' }).databaseUrl).toBe('postgresql://db/relais');
    const refused = configError(['--database-url', 'mysql://relais:s3cret-pw@db.example/relais']);
    expect(refused).toMatch(/^--database-url must be a postgres:\/\/ URL/);
    expect(refused).toContain('mysql://relais:***@db.example/relais');
    expect(refused).not.toContain('s3cret-pw');
    expect(configError(['--database-pool-size', '0'])).toBe('--database-pool-size must be a whole number from 1 to 1000, got "0".');
  });

  it('a cluster node from --redis-url: PostgreSQL, a secret of 32 characters or more, a node URL when listening everywhere; the secret is never repeated', () => {
    const db = 'postgres://db/relais';
    const secret = 'x'.repeat(31) + 'Z';
    const file = join(mkdtempSync(join(tmpdir(), 'relais-cfg-')), 'secret');
    writeFileSync(file, `${secret}\n`);
    expect(loadConfig(['--redis-url', 'redis://10.0.0.9:6379', '--database-url', db, '--cluster-secret-file', file, '--redis-prefix', 't1'], {})).toMatchObject({
      redisUrl: 'redis://10.0.0.9:6379', clusterSecret: secret, redisPrefix: 't1:', nodeUrl: null,
    });
    const env = { RELAIS_REDIS_URL: 'redis://r:6379', RELAIS_DATABASE_URL: db, RELAIS_CLUSTER_SECRET: secret, RELAIS_NODE_URL: 'http://10.0.0.5:8080/', RELAIS_HOST: '0.0.0.0' };
    expect(loadConfig([], env)).toMatchObject({ redisUrl: 'redis://r:6379', clusterSecret: secret, nodeUrl: 'http://10.0.0.5:8080', redisPrefix: '' });
    // Without --redis-url the secret is not kept.
    expect(loadConfig([], { RELAIS_CLUSTER_SECRET: secret }).clusterSecret).toBeNull();
    expect(configError(['--redis-url', 'redis://r:6379', '--cluster-secret-file', file])).toMatch(/--database-url .* SQLite cannot be shared/);
    expect(configError(['--redis-url', 'redis://r:6379', '--database-url', db])).toMatch(/^--redis-url needs the cluster secret/);
    const short = configError([], { ...env, RELAIS_CLUSTER_SECRET: 'too-short-secret' });
    expect(short).toBe('The cluster secret is 16 characters long; it needs at least 32 (e.g. openssl rand -hex 32).');
    expect(short).not.toContain('too-short-secret');
    expect(configError(['--host', '0.0.0.0'], { ...env, RELAIS_NODE_URL: '' })).toMatch(/--host 0.0.0.0 \(every interface\) needs --node-url/);
    expect(configError(['--redis-url', 'http://r:6379'], env)).toBe('--redis-url must be a redis:// or rediss:// URL, e.g. redis://10.0.0.9:6379.');
    expect(configError(['--node-url', 'ftp://x'], env)).toMatch(/^--node-url must be an http\(s\) URL/);
    expect(configError(['--redis-prefix', 'a b'], env)).toMatch(/^--redis-prefix takes up to 64/);
    expect(USAGE).toContain('--redis-url URL');
    expect(USAGE).toContain('--cluster-secret-file FILE');
    expect(USAGE).toContain('--node-url URL');
  });

  it('allowed hosts add up from RELAIS_ALLOWED_HOSTS and every --allowed-host; --trust-proxy or RELAIS_TRUST_PROXY', () => {
    const config = loadConfig(['--allowed-host', 'Help.Example.com', '--allowed-host=10.0.0.5:8080,[::1]:9000'], { RELAIS_ALLOWED_HOSTS: 'a.example, b.example' });
    expect(config.allowedHosts).toEqual(['a.example', 'b.example', 'help.example.com', '10.0.0.5:8080', '[::1]:9000']);
    expect(Object.isFrozen(config.allowedHosts)).toBe(true);
    expect(loadConfig(['--trust-proxy'], {}).trustProxy).toBe(true);
    expect(loadConfig([], { RELAIS_TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(loadConfig([], { RELAIS_TRUST_PROXY: 'no' }).trustProxy).toBe(false);
  });

  it('flags win over environment variables, which win over defaults; empty variables are unset', () => {
    const env = { RELAIS_PORT: '9001', RELAIS_HOST: '0.0.0.0', RELAIS_ORG_NAME: '', RELAIS_HEARTBEAT_MS: '2000', RELAIS_ADMIN_PASSWORD: 'pw from env 123' };
    const config = loadConfig(['--port', '9002', '--org-name=ACME IT', '--public-url', 'https://help.example.com/path'], env);
    expect(config).toMatchObject({ port: 9002, host: '0.0.0.0', organization: 'ACME IT', heartbeatMs: 2000, adminPassword: 'pw from env 123', publicUrl: 'https://help.example.com' });
    expect(loadConfig([], { RELAIS_ORG_NAME: '' }).organization).toBe('Relais Helpdesk');
    expect(loadConfig(['--port', '0'], {}).port).toBe(0);
  });

  it('reads a thresholds file from the flag or the environment', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'relais-cfg-')), 't.json');
    writeFileSync(file, JSON.stringify({ diskWarnPercent: 85 }));
    expect(loadConfig(['--thresholds', file], {}).thresholds).toEqual({ diskWarnPercent: 85 });
    expect(loadConfig([], { RELAIS_THRESHOLDS_FILE: file }).thresholds).toEqual({ diskWarnPercent: 85 });
    writeFileSync(file, JSON.stringify({ nonsense: 1 }));
    expect(configError(['--thresholds', file])).toMatch(/thresholds file .* invalid/);
  });

  it('reads a business-hours file over the default calendar, and refuses unknown settings, zones and hours', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'relais-cfg-')), 'hours.json');
    writeFileSync(file, JSON.stringify({ timeZone: 'America/Montreal', workingDays: [1, 2, 3, 4, 5, 6], closes: '20:00' }));
    const hours = loadConfig(['--business-hours', file], {}).businessHours;
    expect(hours).toEqual({ ...DEFAULT_CALENDAR_SETTINGS, timeZone: 'America/Montreal', workingDays: [1, 2, 3, 4, 5, 6], closes: '20:00' });
    expect(Object.isFrozen(hours)).toBe(true);
    expect(loadConfig([], { RELAIS_BUSINESS_HOURS_FILE: file }).businessHours.timeZone).toBe('America/Montreal');
    writeFileSync(file, JSON.stringify({ opens: '00:00', closes: '24:00', workingDays: [1, 2, 3, 4, 5, 6, 7], holidays: [] }));
    expect(loadConfig(['--business-hours', file], {}).businessHours).toMatchObject({ timeZone: 'Europe/Paris', opens: '00:00', closes: '24:00', holidays: [] });
    for (const [bad, why] of [
      [{ timezone: 'Europe/Paris' }, /unknown setting "timezone"/],
      [{ timeZone: 'Mars/Olympus' }, /timeZone must be an IANA time zone/],
      [{ opens: '18:00', closes: '08:00' }, /must open before it closes/],
      [{ workingDays: [0] }, /workingDays\.0/],
      [[1, 2], /top level must be an object/],
    ] as const) {
      writeFileSync(file, JSON.stringify(bad));
      expect(configError(['--business-hours', file])).toMatch(why);
    }
    writeFileSync(file, '{ not json');
    expect(configError(['--business-hours', file])).toMatch(/Could not read the business hours file/);
  });

  it('says what is wrong, in the same words as before', () => {
    expect(configError(['--help'])).toBe(USAGE);
    expect(configError(['-h', '--bogus'])).toBe(USAGE);
    expect(configError(['--bogus'])).toBe(`Unknown option --bogus.\n\n${USAGE}`);
    expect(configError(['stray'])).toBe(`Unknown option stray.\n\n${USAGE}`);
    expect(configError(['--port'])).toBe('Option --port needs a value.');
    expect(configError(['--port', 'eighty'])).toBe('Port must be a number from 0 to 65535, got "eighty".');
    expect(configError([], { RELAIS_PORT: '70000' })).toBe('Port must be a number from 0 to 65535, got "70000".');
    expect(configError(['--tls-cert', 'c.pem'])).toBe('TLS needs both --tls-cert and --tls-key.');
    expect(configError(['--public-url', 'ftp://x'])).toBe('--public-url must be an http(s) URL, got "ftp://x".');
    expect(configError([], { RELAIS_HEARTBEAT_MS: '10' })).toBe('RELAIS_HEARTBEAT_MS must be at least 1000.');
    expect(configError([], { RELAIS_SUPPORT_CODE_TTL_MS: 'soon' })).toBe('RELAIS_SUPPORT_CODE_TTL_MS must be at least 1000.');
    expect(configError([], { RELAIS_AUTH_CHALLENGE_MS: '99' })).toBe('RELAIS_AUTH_CHALLENGE_MS must be from 100 to 60000.');
    expect(configError(['--allowed-host', 'ok.example,https://bad.example/x'])).toBe(
      '--allowed-host takes a host name or address with an optional :port (no scheme, path or wildcard), got "https://bad.example/x".',
    );
    expect(configError(['--allowed-host='])).toBe('Option --allowed-host needs a value.');
    expect(configError(['--snapshots-per-device', '1'])).toBe('--snapshots-per-device must be a whole number from 2 to 100000, got "1".');
    expect(configError([], { RELAIS_AUDIT_RETENTION_DAYS: '1.5' })).toBe('--audit-retention-days must be a whole number from 1 to 100000, got "1.5".');
  });
});

describe('the relais CLI', () => {
  const env = { RELAIS_CONTROLLER: 'http://127.0.0.1:8080', RELAIS_TOKEN: 'some-api-token-0123456789' };
  const usageError = (argv: string[], environment: Record<string, string> = env) => {
    try {
      parseCli(argv, environment);
    } catch (err) {
      if (err instanceof CliError) return { code: err.code, exit: err.exitCode, message: err.message.split('\n')[0] };
      throw err;
    }
    throw new Error('expected a CliError');
  };

  it('reads run with every option, the environment standing in for --controller and --token', () => {
    expect(parseCli(['fleet', 'run', '--script', 'flush-dns', '--tag=lab', '--param', 'a=1', '--param', 'b=x=y', '--concurrency', '20', '--timeout', '60', '--json'], env)).toEqual({
      kind: 'run', controller: 'http://127.0.0.1:8080', token: env.RELAIS_TOKEN, json: true, requestTimeoutMs: 10_000,
      scriptName: 'flush-dns', target: { tag: 'lab' }, params: { a: '1', b: 'x=y' }, concurrency: 20, timeoutSeconds: 60,
    });
    expect(parseCli(['fleet', 'run', '--script', 's', '--device', 'a,b', '--device', 'c', '--controller', 'https://h.example/x'], env)).toMatchObject({
      controller: 'https://h.example', target: { deviceIds: ['a', 'b', 'c'] },
    });
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('a job id may start with a dash', () => {
    expect(parseCli(['fleet', 'job', '-Ab3_x'], env)).toMatchObject({ kind: 'job', jobId: '-Ab3_x' });
    // parseArgs alone reads "-zx-r" as -z -x and then "--": the options after it were lost (one id in 64 did this).
    expect(parseCli(['fleet', 'job', '-zxeBsbt-rDYSr3D', '--controller', 'http://127.0.0.1:9', '--json'], env)).toMatchObject({ kind: 'job', jobId: '-zxeBsbt-rDYSr3D', controller: 'http://127.0.0.1:9', json: true });
    expect(parseCli(['fleet', 'cancel', '--json', '--', '-a-b'], env)).toMatchObject({ kind: 'cancel', jobId: '-a-b', json: true });
  });

  it('the ids the controller makes never start with a dash, so they need no "--"', () => {
    // A leading "-" came once in 64 draws: 5,000 draws would meet about 78.
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{15}$/);
  });

  it('any base64url id is read as the job id, options around it kept; after "--" even one that starts with "--"', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.boolean(), (bytes, idFirst) => {
        const id = Buffer.from(bytes).toString('base64url');
        const options = ['--controller', 'http://127.0.0.1:9', '--json'];
        const expected = { kind: 'job', jobId: id, controller: 'http://127.0.0.1:9', json: true };
        expect(parseCli(['fleet', 'job', ...options, '--', id], env)).toMatchObject(expected);
        // The controller's ids never start with "-" (newId); older ones may, and still work unless they start with "--".
        if (id.startsWith('--')) return;
        expect(parseCli(idFirst ? ['fleet', 'job', id, ...options] : ['fleet', 'job', ...options, id], env)).toMatchObject(expected);
      }),
      { numRuns: 2000, examples: [[Uint8Array.from([251, 224, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), true], [Uint8Array.from([251, 28, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0]), true]] },
    );
  });

  it('usage errors exit 2 and name the option', () => {
    expect(usageError(['fleet', 'jobs', '--bogus'])).toEqual({ code: 'CLI_ERR_USAGE', exit: 2, message: 'The command line is not valid. Unknown option --bogus.' });
    expect(usageError(['fleet', 'jobs', '--token'])).toMatchObject({ message: 'The command line is not valid. Option --token needs a value.' });
    expect(usageError(['fleet', 'jobs', '--script', 'x'])).toMatchObject({ message: expect.stringContaining('Option --script does not apply to "fleet jobs"') });
    expect(usageError(['fleet', 'run', '--script', 'a', '--script', 'b', '--tag', 't'])).toMatchObject({ message: expect.stringContaining('Option --script may be given once') });
    expect(usageError(['fleet', 'jobs'], {})).toMatchObject({ code: 'CLI_ERR_NO_CONTROLLER', exit: 2 });
    expect(usageError(['nope'])).toMatchObject({ message: expect.stringContaining('Unknown command "nope"') });
  });
});
