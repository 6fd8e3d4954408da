/**
 * Files on a managed device follow its local policy's `files` entry, decided on the
 * machine: real `relais-agent run` processes (stdin a pipe: nobody at a terminal)
 * enrolled with --policy-files, a real controller and console. deny and ask (with
 * nobody to ask) reach the technician as "refused by policy" and nothing is read;
 * allow moves the file without a question and says so in the service's log.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FileTransferView } from '../../protocol/index.js';
import type { RunningAgent } from '../helpers/agent-process.js';
import { startWithConsole, stopAll, type ControllerWithConsole } from '../helpers/console-client.js';
import { createEnrollmentToken, enrollAgent, runAgent } from '../helpers/fleet.js';

let setup: ControllerWithConsole;
const agents: RunningAgent[] = [];
let requests = 0;

beforeAll(async () => {
  setup = await startWithConsole();
});
afterEach(() => stopAll(agents));
afterAll(() => setup?.stop());

async function managedAgent(policyArgs: string[]): Promise<{ agent: RunningAgent; deviceId: string }> {
  const { token } = await createEnrollmentToken(setup.controller, setup.cookie, { group: 'files' });
  const enrolled = await enrollAgent(setup.controller, token, policyArgs);
  expect(enrolled.exitCode, enrolled.agent.output()).toBe(0);
  const deviceId = enrolled.device!.deviceId;
  const agent = runAgent(enrolled.stateDir);
  agents.push(agent);
  await setup.console.waitFor('device.update', (m) => m.device.id === deviceId && m.device.online && m.device.brief !== null);
  return { agent, deviceId };
}

async function fetchFrom(deviceId: string, path: string): Promise<FileTransferView> {
  const requestId = `p${++requests}`;
  setup.console.send({ t: 'file.fetch', requestId, deviceId, path });
  const { transfer } = await setup.console.waitFor('file.pending', (m) => m.requestId === requestId);
  return transfer;
}

const settled = (id: string) => setup.console.waitFor('file.update', (m) => m.transfer.id === id && (m.transfer.state === 'failed' || m.transfer.state === 'ready')).then((m) => m.transfer);

describe('files on a managed device', () => {
  it('files: deny, and ask with nobody at a terminal, are refused by policy; nothing is read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'relais-policy-files-')), 'report.txt');
    writeFileSync(file, 'private');
    for (const args of [['--policy-files', 'deny'], []]) {
      const { agent, deviceId } = await managedAgent(args);
      const transfer = await fetchFrom(deviceId, file);
      expect(await settled(transfer.id)).toMatchObject({ state: 'failed', code: 'FILE_ERR_REFUSED_BY_POLICY' });
      await agent.waitFor(args.length > 0 ? /the local policy denies file transfers \(files: deny\)/ : /nobody is at a terminal to answer/);
      expect(agent.output()).not.toMatch(/\[y\/N\]/);
    }
  });

  it('files: allow moves the file without a question, and the log says so', async () => {
    const { agent, deviceId } = await managedAgent(['--policy-files', 'allow']);
    const file = join(mkdtempSync(join(tmpdir(), 'relais-policy-files-')), 'app.log');
    writeFileSync(file, 'log line\n');
    const transfer = await fetchFrom(deviceId, file);
    expect(await settled(transfer.id)).toMatchObject({ state: 'ready', name: 'app.log', size: 9 });
    const res = await fetch(`${setup.controller.url}/api/files/${transfer.id}/download`, { headers: { cookie: setup.cookie } });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.toString()).toBe('log line\n');
    const done = await setup.console.waitFor('file.update', (m) => m.transfer.id === transfer.id && m.transfer.state === 'done');
    expect(done.transfer.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    await agent.waitFor(/Allowing sending a copy of .*app\.log .* without asking: the local policy allows file transfers \(files: allow\)/);
  });
});
