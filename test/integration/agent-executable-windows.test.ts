/**
 * The Windows executable, built here from the npm registry's Node for win-x64: a PE
 * whose SEA fuse is flipped (so Node runs the injected agent), with a right checksum and
 * no leftover of Node's own signature. Signed with a self-signed test certificate as the
 * build signs it, then tagged per download, its signature still verifies. Where Wine is
 * installed (`apt-get install wine`, `winecfg /v win10`), it runs: `--version`,
 * `diagnose --json`, and — signed, downloaded from a real controller with the session inside
 * its signature — joins that session with no argument.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentExecutables } from '../../controller/server/downloads/agent-executables.js';
import { readOwnTrailer } from '../../agent/executable/own-trailer.js';
import { PE_HEADER_BYTES, encodeTrailerPayload, imageChecksum, peLayout } from '../../protocol/executable/index.js';
import { buildAgentExecutable } from '../helpers/agent-executables.js';
import { createSupportLink, login, startController } from '../helpers/controller-process.js';
import { eventually, until } from '../helpers/until.js';
import { hasTool } from '../helpers/system-tools.js';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const hasOsslsigncode = hasTool('osslsigncode');
const hasWine = hasTool('wine');
let exe: string;
let image: Buffer;
let work: string;

beforeAll(() => {
  // Cached by its inputs; the first build takes about a minute (35 MB from the registry, then postject).
  exe = buildAgentExecutable('win-x64');
  image = readFileSync(exe);
  work = mkdtempSync(join(tmpdir(), 'relais-win-'));
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the Windows executable', () => {
  it('is a PE whose SEA fuse is flipped, with the agent injected, a right checksum and no stale signature', () => {
    expect(image.subarray(0, 2).toString('latin1')).toBe('MZ');
    expect(image.includes(`${FUSE}:1`)).toBe(true);
    expect(image.includes(`${FUSE}:0`)).toBe(false);
    // postject adds the blob as a resource named NODE_SEA_BLOB (UTF-16 in the resource directory).
    expect(image.includes(Buffer.from('NODE_SEA_BLOB', 'utf16le'))).toBe(true);
    const layout = peLayout(image.subarray(0, PE_HEADER_BYTES));
    expect(layout.certTableSize).toBe(0);
    expect(image.readUInt32LE(layout.checksumOffset)).toBe(imageChecksum(image, layout));
    expect(readOwnTrailer(exe)).toEqual({ kind: 'none' });
  });

  it.skipIf(!hasOsslsigncode)('signed with a test certificate, keeps a valid signature with the trailer in it', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem'), '-days', '2', '-subj', '/CN=Relais test signer'], { stdio: 'ignore' });
    const folder = mkdtempSync(join(work, 'signed-'));
    execFileSync('osslsigncode', ['sign', '-certs', join(work, 'cert.pem'), '-key', join(work, 'key.pem'), '-h', 'sha256', '-n', 'Relais agent', '-in', exe, '-out', join(folder, 'relais-agent-win-x64.exe')], { stdio: 'ignore' });
    const answer = await new AgentExecutables(folder).download('win-x64', encodeTrailerPayload({ v: 1, controller: 'https://help.example.com', code: '482193557' }));
    if (!answer) throw new Error('no executable');
    const out = join(folder, 'downloaded.exe');
    const fd = openSync(out, 'w');
    for await (const chunk of answer.body) writeFileSync(fd, chunk as Buffer);
    closeSync(fd);
    expect(readFileSync(out).length).toBe(answer.length);
    const verified = spawnSync('osslsigncode', ['verify', '-CAfile', join(work, 'cert.pem'), '-in', out], { encoding: 'utf8' });
    expect(`${verified.stdout}${verified.stderr}`).toMatch(/Signature verification: ok/);
    expect(verified.status).toBe(0);
    expect(readOwnTrailer(out)).toMatchObject({ kind: 'found', trailer: { code: '482193557' } });
  });

  describe.skipIf(!hasWine)('under Wine', () => {
    const env = { ...process.env, WINEDEBUG: '-all', WINEPREFIX: join(tmpdir(), 'relais-wine-prefix') };
    /** Node under Wine cannot use Wine's pipes for its standard streams: files, as a console would be. */
    const run = (args: string[]) => {
      const copy = join(work, 'relais-agent-win-x64.exe');
      copyFileSync(exe, copy);
      const out = join(work, 'out.txt');
      const err = join(work, 'err.txt');
      const stdout = openSync(out, 'w');
      const stderr = openSync(err, 'w');
      const result = spawnSync('wine', [copy, ...args], { env, stdio: ['ignore', stdout, stderr], timeout: 120_000 });
      closeSync(stdout);
      closeSync(stderr);
      return { status: result.status, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
    };

    /**
     * Ends every process of the test's Wine prefix. Killing `wine` ends only its launcher:
     * the agent, the PowerShell it started for a probe and Wine's services would go on
     * (they were found 22 minutes later, still using CPU, in the middle of a suite).
     */
    const endWinePrefix = () => void spawnSync('wineserver', ['-k'], { env, stdio: 'ignore', timeout: 30_000 });

    beforeAll(() => {
      execFileSync('winecfg', ['/v', 'win10'], { env, stdio: 'ignore', timeout: 180_000 });
    }, 240_000);
    afterAll(endWinePrefix, 60_000);

    it('prints its version', () => {
      const result = run(['--version']);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
      expect(result.status).toBe(0);
    }, 180_000);

    it.skipIf(!hasOsslsigncode)('signed, downloaded with its session inside the signature, joins with no argument', async () => {
      const folder = mkdtempSync(join(work, 'wine-signed-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'), '-days', '2', '-subj', '/CN=Relais test signer'], { stdio: 'ignore' });
      execFileSync('osslsigncode', ['sign', '-certs', join(folder, 'cert.pem'), '-key', join(folder, 'key.pem'), '-h', 'sha256', '-in', exe, '-out', join(folder, 'relais-agent-win-x64.exe')], { stdio: 'ignore' });
      const controller = await startController({ args: ['--agents-dir', folder] });
      try {
        const cookie = await login(controller);
        const link = await createSupportLink(controller, cookie);
        const res = await fetch(`${controller.url}/download/agent/win-x64?code=${link.code}`);
        expect(res.status).toBe(200);
        const downloaded = join(folder, 'downloaded.exe');
        writeFileSync(downloaded, Buffer.from(await res.arrayBuffer()));
        const verified = spawnSync('osslsigncode', ['verify', '-CAfile', join(folder, 'cert.pem'), '-in', downloaded], { encoding: 'utf8' });
        expect(verified.stdout).toMatch(/Signature verification: ok/);
        const out = join(folder, 'out.txt');
        const stdout = openSync(out, 'w');
        const agent = spawn('wine', [downloaded], { env, stdio: ['ignore', stdout, stdout] });
        try {
          const devices = await eventually(
            async () => ((await (await fetch(`${controller.url}/api/devices?online=true`, { headers: { cookie } })).json()) as { devices: Array<{ brief: { os: { platform: string } } | null }> }).devices,
            (list) => list.length === 1 && list[0]?.brief != null,
            90_000,
            'the Windows agent online',
          ).catch((error: Error) => {
            // What the agent printed is the only clue to why it did not join.
            throw new Error(`${error.message}\nthe agent printed:\n${readFileSync(out, 'utf8') || '(nothing)'}`);
          });
          expect(devices[0]?.brief?.os.platform).toBe('win32');
          await until(() => readFileSync(out, 'utf8').includes('Connected to'), 30_000, 'the agent saying it is connected');
        } finally {
          agent.kill('SIGKILL');
          endWinePrefix();
          closeSync(stdout);
        }
      } finally {
        await controller.stop();
      }
    }, 240_000);

    it('runs the diagnostics and prints them as JSON', () => {
      const result = run(['diagnose', '--json']);
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stdout) as { snapshot: { probes: Record<string, unknown> }; findings: unknown[] };
      expect(Object.keys(report.snapshot.probes)).toContain('system');
      expect(Array.isArray(report.findings)).toBe(true);
    }, 180_000);
  });
});
