/**
 * An agent with several controller addresses (the nodes of a cluster): the order they
 * are tried in, moving on after a failure, the backoff counted in rounds of the list
 * and starting over after a welcome; the command lines that give them; the device
 * file that keeps them (and still reads files written before); and the link really
 * dialling the next address when the first does not answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine, type EnrollConfig, type JoinConfig } from '../../agent/cli/cli.js';
import { ControllerRotation, MAX_CONTROLLER_URLS } from '../../agent/link/controller-rotation.js';
import { SupportCodeCredentials } from '../../agent/link/credentials.js';
import { Link, type LinkListener } from '../../agent/link/link.js';
import { controllerUrlsOf, readDeviceFile, writeDeviceFile } from '../../agent/managed/device-state.js';
import { RECONNECT_BACKOFF } from '../../protocol/index.js';
import { startHostileController } from '../helpers/hostile-controller.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** No jitter: the delays are exactly the policy's. */
const noJitter = () => 0.5;

describe('ControllerRotation', () => {
  it('starts with the first address and moves on in order after each failure, wrapping around', () => {
    const rotation = new ControllerRotation(['a', 'b', 'c'], RECONNECT_BACKOFF, noJitter);
    const seen = [rotation.current];
    for (let i = 0; i < 4; i += 1) {
      rotation.failed();
      seen.push(rotation.current);
    }
    expect(seen).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('gives each address one attempt per backoff step, and a welcome starts the backoff over', () => {
    const rotation = new ControllerRotation(['a', 'b'], RECONNECT_BACKOFF, noJitter);
    const delays = Array.from({ length: 6 }, () => rotation.failed());
    expect(delays).toEqual([500, 500, 1000, 1000, 2000, 2000]);
    rotation.succeeded();
    // Welcomed by the address in use: the next loss moves on, from the shortest delay.
    const where = rotation.current;
    expect(rotation.failed()).toBe(500);
    expect(rotation.current).not.toBe(where);
  });

  it('with one address it is the single controller backoff, capped', () => {
    const rotation = new ControllerRotation(['only'], RECONNECT_BACKOFF, noJitter);
    const delays = Array.from({ length: 8 }, () => rotation.failed());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(rotation.current).toBe('only');
  });

  it('refuses an empty list', () => {
    expect(() => new ControllerRotation([])).toThrow();
  });
});

function join(args: string[], env: Record<string, string> = {}): JoinConfig {
  const command = parseCommandLine(['join', ...args], env);
  if (command.kind !== 'join') throw new Error(`expected join, got ${JSON.stringify(command)}`);
  return command.config;
}

function enroll(args: string[]): EnrollConfig {
  const command = parseCommandLine(['enroll', ...args, '--token', 'Zm9vYmFyYmF6cXV4LXNlY3JldC10b2tlbi12YWx1ZQ'], {});
  if (command.kind !== 'enroll') throw new Error(`expected enroll, got ${JSON.stringify(command)}`);
  return command.config;
}

describe('several controller addresses on the command line', () => {
  it('join with a code: repeated and comma-separated --controller, in order, each once', () => {
    const target = join(['482193557', '--controller', 'https://a.example,https://b.example', '--controller', 'https://c.example', '--controller', 'https://a.example/']).target;
    expect(target.wsUrl).toBe('wss://a.example/ws/agent');
    expect(target.controllerUrl).toBe('https://a.example');
    expect(target.otherWsUrls).toEqual(['wss://b.example/ws/agent', 'wss://c.example/ws/agent']);
    expect(join(['482193557'], { RELAIS_CONTROLLER: 'https://a.example, https://b.example' }).target.otherWsUrls).toEqual(['wss://b.example/ws/agent']);
  });

  it("join with a link: the link's controller first, the others after it", () => {
    const target = join(['https://help.example/s/482193557', '--controller', 'https://node2.example,https://help.example']).target;
    expect(target.wsUrl).toBe('wss://help.example/ws/agent');
    expect(target.otherWsUrls).toEqual(['wss://node2.example/ws/agent']);
  });

  it('refuses too many addresses, a bad one, and an unencrypted remote one among them', () => {
    const many = Array.from({ length: MAX_CONTROLLER_URLS + 1 }, (_, i) => `https://n${i}.example`).join(',');
    expect(parseCommandLine(['join', '482193557', '--controller', many], {})).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/At most 8/) });
    expect(parseCommandLine(['join', '482193557', '--controller', 'https://a.example,ftp://b'], {})).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/http/) });
    expect(parseCommandLine(['join', '482193557', '--controller', 'https://a.example,http://b.example'], {})).toMatchObject({ kind: 'refused', message: expect.stringMatching(/b\.example/) });
  });

  it('enroll keeps every address: a comma list and --controller, the first where it enrolls', () => {
    const config = enroll(['https://a.example,https://b.example/relais/', '--controller', 'https://c.example']);
    expect(config.controllerUrl).toBe('https://a.example');
    expect(config.otherControllerUrls).toEqual(['https://b.example/relais', 'https://c.example']);
    expect(enroll(['https://a.example']).otherControllerUrls).toEqual([]);
    expect(parseCommandLine(['enroll', 'https://a.example', '--controller', 'http://b.example', '--token', 'Zm9vYmFyYmF6cXV4LXNlY3JldC10b2tlbi12YWx1ZQ'], {})).toMatchObject({ kind: 'refused' });
  });
});

describe('device.json with several addresses', () => {
  it('reads a file written before clusters, and keeps the others after the enrolled origin', () => {
    const dir = mkdtempSync(pathJoin(tmpdir(), 'relais-device-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = pathJoin(dir, 'device.json');
    const old = { version: 1, controllerUrl: 'https://help.example', deviceId: 'dev_0123456789abcdef', name: 'pc', group: 'default', insecure: false, enrolledAt: 1 };
    writeFileSync(path, JSON.stringify(old));
    const read = readDeviceFile(path);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(controllerUrlsOf(read.value)).toEqual(['https://help.example']);
    writeDeviceFile(path, { ...read.value, otherControllerUrls: ['https://node2.example', 'https://node3.example/relais'] });
    const again = readDeviceFile(path);
    expect(again.ok && controllerUrlsOf(again.value)).toEqual(['https://help.example', 'https://node2.example', 'https://node3.example/relais']);
    writeFileSync(path, JSON.stringify({ ...old, otherControllerUrls: ['https://x.example/?a'] }));
    expect(readDeviceFile(path)).toMatchObject({ ok: false });
  });
});

/** A port nothing listens on: bound then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the link dials the next address', () => {
  it('after the first refuses the connection, and goes back to the list after losing the second', async () => {
    const hc = await startHostileController();
    cleanups.push(() => hc.close());
    const dead = await deadPort();
    const events: string[] = [];
    const listener: LinkListener = {
      welcomed: () => void events.push('welcomed'),
      message: () => undefined,
      frame: () => undefined,
      lost: (ms, was) => void events.push(`lost:${was ? 'welcomed' : 'never'}:${ms}`),
      fatal: (code) => void events.push(`fatal:${code}`),
    };
    const link = new Link(
      {
        wsUrls: [`ws://127.0.0.1:${dead}/ws/agent`, `ws://127.0.0.1:${hc.port}/ws/agent`],
        credentials: new SupportCodeCredentials('482193557'),
        agent: { version: 't', platform: 'linux', arch: 'x64', hostname: 'h' },
        heartbeatTimeoutMs: 30_000,
        backoff: { initialMs: 20, maxMs: 200, jitter: 0 },
      },
      listener,
    );
    cleanups.push(() => link.stop());
    link.start();
    await until(() => events.includes('welcomed'), 10_000, 'a welcome from the second address');
    expect(events[0]).toBe('lost:never:20');
    expect(link.wsUrl).toBe(`ws://127.0.0.1:${hc.port}/ws/agent`);
    // The second goes away: the link moves on to the first again, from the shortest delay.
    (await hc.connection(0)).socket.terminate();
    await until(() => events.filter((e) => e.startsWith('lost:')).length >= 2, 10_000, 'the loss');
    expect(events[2]).toBe('lost:welcomed:20');
    await until(() => link.wsUrl === `ws://127.0.0.1:${hc.port}/ws/agent` && hc.connections.length >= 2, 10_000, 'the way back to the second address');
  });
});
