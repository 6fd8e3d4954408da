/** Fleet pieces without processes: the command line, the signed message, the policy verdicts, the unit text. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type Command, type EnrollConfig } from '../../agent/cli/cli.js';
import { DeviceKeyCredentials, SupportCodeCredentials } from '../../agent/link/credentials.js';
import { defaultStateDir } from '../../agent/managed/device-state.js';
import { systemdUnit } from '../../agent/managed/install-service.js';
import { policyVerdict } from '../../agent/consent/local-policy.js';
import { verifyDeviceSignature } from '../../controller/server/fleet/device-auth.js';
import {
  authSignature, controllerToAgent, decodeControl, deviceAuthMessage, devicePublicKey, messageTypes,
} from '../../protocol/index.js';

const TOKEN = 'Zm9vYmFyYmF6cXV4LXNlY3JldC10b2tlbi12YWx1ZQ';

function enroll(args: string[], env: Record<string, string> = {}): EnrollConfig {
  const command = parseCommandLine(['enroll', ...args], env);
  if (command.kind !== 'enroll') throw new Error(`expected enroll, got ${JSON.stringify(command)}`);
  return command.config;
}

function failure(args: string[], env: Record<string, string> = {}): Extract<Command, { kind: 'usage-error' | 'refused' }> {
  const command = parseCommandLine(args, env);
  if (command.kind !== 'usage-error' && command.kind !== 'refused') throw new Error(`expected a failure, got ${command.kind}`);
  return command;
}

describe('relais-agent enroll, run, install-service: command lines', () => {
  it('enroll takes repeatable tags, a name and the policy, with safe defaults (ask, ask, ask)', () => {
    const config = enroll(['https://help.example.com/', '--token', TOKEN, '--tag', 'lab', '--tag=floor-2', '--tag', 'lab', '--name', 'Reception PC']);
    expect(config).toMatchObject({ controllerUrl: 'https://help.example.com', token: TOKEN, name: 'Reception PC', tags: ['lab', 'floor-2'], policy: { script: 'ask', shell: 'ask', files: 'ask' }, stateDir: null, insecure: false });
    expect(enroll(['http://127.0.0.1:8080', '--token', TOKEN, '--policy-shell', 'allow', '--policy-script', 'deny']).policy).toEqual({ script: 'deny', shell: 'allow', files: 'ask' });
    expect(enroll(['http://127.0.0.1:8080', '--token', TOKEN, '--policy-files', 'deny']).policy).toEqual({ script: 'ask', shell: 'ask', files: 'deny' });
    expect(parseCommandLine(['enroll', 'http://127.0.0.1:8080', '--token', TOKEN, '--policy-files', 'sometimes'], {})).toMatchObject({ kind: 'usage-error' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes the token and the state folder from the environment too', () => {
    const config = enroll(['https://h.example'], { RELAIS_ENROLLMENT_TOKEN: TOKEN, RELAIS_STATE_DIR: '/srv/relais' });
    expect(config).toMatchObject({ token: TOKEN, stateDir: '/srv/relais' });
    expect(enroll(['https://h.example', '--token', TOKEN, '--state-dir', '/x'], { RELAIS_STATE_DIR: '/srv/relais' }).stateDir).toBe('/x');
  });

  it('refuses bad usage without ever repeating the token', () => {
    const cases: string[][] = [
      ['enroll', 'https://h.example'],
      ['enroll', 'https://h.example', '--token', `${TOKEN}!`],
      ['enroll', 'https://h.example', '--token', TOKEN, '--policy-shell', 'sometimes'],
      ['enroll', 'https://h.example', '--token', TOKEN, '--tag', 'has space'],
      ['enroll', 'ftp://h.example', '--token', TOKEN],
      ['enroll', '--token', TOKEN],
      ['enroll', 'http://help.example.com', '--token', TOKEN],
      ['enroll', 'https://h.example', '--token', TOKEN, '--bogus'],
    ];
    for (const args of cases) {
      const result = failure(args);
      expect(result.message, args.join(' ')).not.toContain(TOKEN);
    }
    expect(failure(['enroll', 'http://help.example.com', '--token', TOKEN])).toMatchObject({ kind: 'refused', message: expect.stringMatching(/without encryption.*--insecure/) });
    expect(enroll(['http://help.example.com', '--token', TOKEN, '--insecure']).insecure).toBe(true);
    expect(failure(['enroll', 'https://h.example', '--token', TOKEN, '--policy-shell', 'sometimes']).message).toMatch(/allow, ask or deny/);
  });

  it('run and install-service', () => {
    expect(parseCommandLine(['run'], {})).toMatchObject({ kind: 'run', config: { stateDir: null, consentTimeoutMs: 60_000 } });
    expect(parseCommandLine(['run', '--state-dir', '/s', '--consent-timeout', '5'], {})).toMatchObject({ kind: 'run', config: { stateDir: '/s', consentTimeoutMs: 5000 } });
    expect(failure(['run', 'extra']).message).toMatch(/no arguments/);
    expect(parseCommandLine(['install-service', '--unit-path', '/tmp/x.service'], {})).toMatchObject({ kind: 'install-service', config: { unitPath: '/tmp/x.service' } });
    expect(failure(['install-service', '--unit-path', '/tmp/x']).message).toMatch(/\.service/);
    expect(parseCommandLine(['--help'], {})).toMatchObject({ kind: 'help', text: expect.stringMatching(/enroll[\s\S]*run[\s\S]*install-service/) });
  });

  it('the default state folder depends on the platform and the account', () => {
    expect(defaultStateDir('linux', true, {}, '/root')).toBe('/var/lib/relais-agent');
    expect(defaultStateDir('linux', false, {}, '/home/ann')).toBe('/home/ann/.config/relais-agent');
    expect(defaultStateDir('linux', false, { XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe('/cfg/relais-agent');
    expect(defaultStateDir('darwin', true, {}, '/var/root')).toBe('/Library/Application Support/Relais/agent');
  });
});

describe('device identity on the wire', () => {
  it('the signed message is domain-separated and names the controller, the device and the nonce', () => {
    expect(deviceAuthMessage('https://help.example.com', 'dev1', 'NONCE')).toBe('relais-device-auth-v1\nhttps://help.example.com\ndev1\nNONCE');
  });

  it('the agent signs what the controller verifies, and nothing else', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'jwk' }).x as string;
    expect(devicePublicKey.safeParse(raw).success).toBe(true);
    const credentials = new DeviceKeyCredentials('dev1', 'https://help.example.com', privateKey);
    expect(credentials.helloAuth()).toEqual({ kind: 'device', deviceId: 'dev1' });
    const nonce = Buffer.alloc(32, 7).toString('base64url');
    const signature = credentials.answerChallenge(nonce);
    expect(authSignature.safeParse(signature).success).toBe(true);
    const device = { id: 'dev1', publicKey: raw, controllerOrigin: 'https://help.example.com' };
    expect(verifyDeviceSignature(device, nonce, signature)).toBe(true);
    expect(verifyDeviceSignature(device, Buffer.alloc(32, 8).toString('base64url'), signature)).toBe(false);
    expect(verifyDeviceSignature({ ...device, id: 'dev2' }, nonce, signature)).toBe(false);
    expect(verifyDeviceSignature({ ...device, controllerOrigin: 'https://evil.example' }, nonce, signature)).toBe(false);
    // Attended agents never answer a challenge.
    expect(new SupportCodeCredentials('482193557').answerChallenge()).toBeNull();
  });

  it('refusals a device stops for, and those it retries', () => {
    const credentials = new DeviceKeyCredentials('dev1', 'https://h.example', generateKeyPairSync('ed25519').privateKey);
    for (const code of ['AUTH_ERR_DEVICE_REVOKED', 'AUTH_ERR_UNKNOWN_DEVICE', 'AUTH_ERR_BAD_SIGNATURE', 'SESSION_ERR_REPLACED'] as const) expect(credentials.isFatal(code), code).toBe(true);
    for (const code of ['AUTH_ERR_THROTTLED', 'AUTH_ERR_CHALLENGE_EXPIRED', 'PROTO_ERR_VERSION_MISMATCH', 'SERVER_ERR_SHUTDOWN'] as const) expect(credentials.isFatal(code), code).toBe(false);
    expect(credentials.fatalForClose(4401, '')).toBeNull();
    expect(credentials.fatalForClose(4403, 'AUTH_ERR_DEVICE_REVOKED')).toBe('AUTH_ERR_DEVICE_REVOKED');
  });

  it('keys, nonces and signatures must have their exact sizes', () => {
    expect(devicePublicKey.safeParse('A'.repeat(43)).success).toBe(true);
    expect(devicePublicKey.safeParse('A'.repeat(42)).success).toBe(false);
    expect(devicePublicKey.safeParse(`${'A'.repeat(42)}B`).success).toBe(false); // non-canonical last character
    expect(authSignature.safeParse('A'.repeat(86)).success).toBe(true);
    expect(authSignature.safeParse('A'.repeat(88)).success).toBe(false);
  });

  it('nothing the controller can send writes the policy', () => {
    const types = [...messageTypes(controllerToAgent)];
    expect(types.filter((t) => /policy|consent/.test(t))).toEqual([]);
    expect(decodeControl(controllerToAgent, '{"t":"policy.set","shell":"allow"}')).toMatchObject({ ok: false, code: 'PROTO_ERR_UNKNOWN_TYPE' });
  });
});

describe('the unattended policy decides', () => {
  it('allow goes ahead, deny refuses, ask asks a person only when one is at a terminal', () => {
    const policy = { script: 'allow', shell: 'ask' } as const;
    expect(policyVerdict(policy, 'script', false)).toBe('allow');
    expect(policyVerdict(policy, 'shell', true)).toBe('ask-person');
    expect(policyVerdict(policy, 'shell', false)).toBe('refuse');
    expect(policyVerdict({ script: 'deny', shell: 'deny' }, 'shell', true)).toBe('refuse');
  });
});

describe('the systemd unit', () => {
  it('quotes every argument so nothing is split or expanded', () => {
    const unit = systemdUnit({ nodePath: '/usr/bin/node', scriptPath: '/opt/relais agent/relais-agent.mjs', stateDir: '/srv/$HOME/100%"x', user: 'root' });
    expect(unit).toContain('ExecStart="/usr/bin/node" "/opt/relais agent/relais-agent.mjs" "run" "--state-dir" "/srv/$$HOME/100%%\\"x"');
    expect(unit).toMatch(/^User=root$/m);
    expect(unit).toMatch(/^Environment=MALLOC_ARENA_MAX=2$/m);
  });

  it('runs a single executable by itself: no script to name', () => {
    const unit = systemdUnit({ nodePath: '/opt/relais/relais-agent-linux-x64', scriptPath: null, stateDir: '/var/lib/relais-agent', user: 'root' });
    expect(unit).toContain('ExecStart="/opt/relais/relais-agent-linux-x64" "run" "--state-dir" "/var/lib/relais-agent"');
  });
});
