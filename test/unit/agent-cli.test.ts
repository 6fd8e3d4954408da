/** The agent's command line: links, codes, the loopback rule, and usage errors. */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type Command, type JoinConfig } from '../../agent/cli/cli.js';
import { resolveTarget, transportRefusal } from '../../agent/link/controller-url.js';
import { framesNeedMasking, isLoopbackHost } from '../../protocol/index.js';
import { backoffDelay } from '../../protocol/index.js';
import { Credit } from '../../protocol/credit.js';

function join(args: string[], env: Record<string, string> = {}): JoinConfig {
  const command = parseCommandLine(['join', ...args], env);
  if (command.kind !== 'join') throw new Error(`expected join, got ${JSON.stringify(command)}`);
  return command.config;
}

function failure(args: string[], env: Record<string, string> = {}): Extract<Command, { kind: 'usage-error' | 'refused' }> {
  const command = parseCommandLine(args, env);
  if (command.kind !== 'usage-error' && command.kind !== 'refused') throw new Error(`expected a failure, got ${command.kind}`);
  return command;
}

describe('support links and codes', () => {
  it('takes the controller and the code from a link, http and https', () => {
    expect(join(['http://127.0.0.1:8080/s/482193557']).target).toEqual({
      code: '482193557',
      controllerUrl: 'http://127.0.0.1:8080',
      wsUrl: 'ws://127.0.0.1:8080/ws/agent',
      otherWsUrls: [],
    });
    expect(join(['https://help.example.com/s/482193557']).target.wsUrl).toBe('wss://help.example.com/ws/agent');
    expect(join(['https://help.example.com:8443/s/482193557/']).target.wsUrl).toBe('wss://help.example.com:8443/ws/agent');
    // A controller served under a path prefix keeps it.
    expect(join(['https://example.com/relais/s/482193557']).target.wsUrl).toBe('wss://example.com/relais/ws/agent');
  });

  it('takes a code alone with --controller or RELAIS_CONTROLLER, spaced or not', () => {
    expect(join(['482193557', '--controller', 'https://h.example']).target).toMatchObject({ code: '482193557', wsUrl: 'wss://h.example/ws/agent' });
    expect(join(['482 193 557', '--controller=https://h.example']).target.code).toBe('482193557');
    expect(join(['482', '193', '557', '--controller', 'https://h.example']).target.code).toBe('482193557');
    expect(join(['482-193-557'], { RELAIS_CONTROLLER: 'http://localhost:3000' }).target.wsUrl).toBe('ws://localhost:3000/ws/agent');
    // The explicit option wins over the environment.
    expect(join(['482193557', '--controller', 'https://a.example'], { RELAIS_CONTROLLER: 'https://b.example' }).target.wsUrl).toBe('wss://a.example/ws/agent');
  });

  it('refuses what is not a link or a 9-digit code, without echoing the secret', () => {
    expect(failure(['join', '48219355', '--controller', 'https://h']).message).toMatch(/9 digits/);
    expect(failure(['join', '4821935570', '--controller', 'https://h']).message).toMatch(/9 digits/);
    const badLink = failure(['join', 'https://h.example/x/482193557']);
    expect(badLink.message).toMatch(/not a Relais support link/);
    expect(badLink.message).not.toContain('482193557');
    expect(failure(['join', 'ftp://h.example/s/482193557']).message).toMatch(/http:\/\/ or https:\/\//);
    expect(failure(['join', 'https://user:pw@h.example/s/482193557']).message).toMatch(/user name or password/);
    expect(failure(['join', '482193557']).message).toMatch(/--controller/);
    expect(failure(['482193557']).message).not.toContain('482193557');
  });

  it('resolveTarget never puts the code in the addresses it returns', () => {
    const result = resolveTarget('https://h.example/s/482193557', []);
    expect(result.ok && result.target.wsUrl).not.toContain('482193557');
    expect(result.ok && result.target.controllerUrl).not.toContain('482193557');
  });
});

describe('the loopback rule', () => {
  it('knows which hosts are this machine', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:7f00:1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['example.com', '10.0.0.1', '128.0.0.1', '127.0.0.1.example.com', 'localhost.example.com', '[::2]', '0.0.0.0', '127.0.0.256'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('masks frames only on plain ws:// across a network (zero masks inside TLS and on loopback)', () => {
    expect(framesNeedMasking('ws://help.example.com/ws/agent')).toBe(true);
    expect(framesNeedMasking('ws://10.0.0.1:8080/ws/agent')).toBe(true);
    expect(framesNeedMasking('ws://127.0.0.1.example.com/ws/agent')).toBe(true);
    expect(framesNeedMasking('wss://help.example.com/ws/agent')).toBe(false);
    expect(framesNeedMasking('ws://127.0.0.1:9000/ws/agent')).toBe(false);
    expect(framesNeedMasking('ws://[::1]:9000/ws/agent')).toBe(false);
    expect(framesNeedMasking('ws://localhost/ws/agent')).toBe(false);
  });

  it('refuses plain ws:// to another host unless --insecure, before connecting', () => {
    const refused = failure(['join', 'http://help.example.com/s/482193557']);
    expect(refused.kind).toBe('refused');
    expect(refused.message).toMatch(/without encryption/);
    expect(refused.message).toMatch(/--insecure/);
    expect(refused.message).not.toContain('482193557');
    expect(join(['http://help.example.com/s/482193557', '--insecure']).insecure).toBe(true);
    expect(join(['http://[::1]:9000/s/482193557']).target.wsUrl).toBe('ws://[::1]:9000/ws/agent');
    expect(join(['http://localhost/s/482193557']).insecure).toBe(false);
    expect(transportRefusal('wss://help.example.com/ws/agent', false)).toBeNull();
    expect(transportRefusal('ws://10.1.2.3/ws/agent', false)).toMatch(/10\.1\.2\.3/);
  });
});

describe('usage', () => {
  it('help and version', () => {
    expect(parseCommandLine(['--help'], {})).toMatchObject({ kind: 'help', text: expect.stringMatching(/join/) });
    expect(parseCommandLine(['join', '--help'], {})).toMatchObject({ kind: 'help', text: expect.stringMatching(/--consent-timeout/) });
    expect(parseCommandLine(['--version'], {}).kind).toBe('version');
    expect(parseCommandLine(['-V'], {}).kind).toBe('version');
  });

  it('bad usage is a clear message plus the usage', () => {
    const none = failure([]);
    expect(none).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/No command/) });
    expect(failure(['frobnicate'])).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/Unknown command "frobnicate"/), usage: expect.stringMatching(/Usage/) });
    expect(failure(['join'])).toMatchObject({ message: expect.stringMatching(/support link/) });
    expect(failure(['join', 'http://localhost/s/482193557', '--bogus']).message).toMatch(/Unknown option "--bogus"/);
    // A link with --controller: the other addresses must be as safe as the link's own.
    expect(failure(['join', 'http://localhost/s/482193557', '--controller', 'http://x'])).toMatchObject({ kind: 'refused', message: expect.stringMatching(/x/) });
    expect(failure(['join', 'http://localhost/s/482193557', '--insecure=yes']).message).toMatch(/takes no value/);
    expect(failure(['join', 'http://localhost/s/482193557', '--consent-timeout']).message).toMatch(/needs a value/);
    for (const bad of ['0', '-5', 'abc', '1.5', '99999']) {
      expect(failure(['join', 'http://localhost/s/482193557', '--consent-timeout', bad]).message, bad).toMatch(/--consent-timeout/);
    }
    expect(failure(['join', 'http://localhost/s/482193557', 'http://localhost/s/111222333']).message).toMatch(/only one/);
  });

  it('the consent timeout defaults to 60 s and the config is frozen', () => {
    const config = join(['http://localhost/s/482193557']);
    expect(config.consentTimeoutMs).toBe(60_000);
    expect(join(['http://localhost/s/482193557', '--consent-timeout', '2']).consentTimeoutMs).toBe(2000);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.target)).toBe(true);
  });
});

describe('small agent pieces', () => {
  it('backoff doubles from 0.5 s to 15 s with ±30 % jitter', () => {
    expect(backoffDelay(0, undefined, () => 0.5)).toBe(500);
    expect(backoffDelay(1, undefined, () => 0.5)).toBe(1000);
    expect(backoffDelay(10, undefined, () => 0.5)).toBe(15_000);
    expect(backoffDelay(0, undefined, () => 0)).toBe(350);
    expect(backoffDelay(0, undefined, () => 1)).toBe(650);
  });

  it('credit pauses when spent and resumes when acknowledged', () => {
    const credit = new Credit(1000);
    expect(credit.spend(600)).toBe(false);
    expect(credit.spend(600)).toBe(true);
    expect(credit.grant(100)).toBe(false);
    expect(credit.grant(500)).toBe(true);
  });
});
