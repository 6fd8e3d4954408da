/**
 * `GET /download/agent/:platform?code=`: authorised by a valid, unused support code,
 * throttled, streamed with an exact Content-Length and the session trailer at the end —
 * and never the file in memory: a 256 MiB executable goes out while the controller's
 * peak memory grows by far less than that. The support page offers the download that
 * fits the person's browser first, and changes once they joined.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAILER_MAGIC, findPlainTrailer, parseTrailerPayload } from '../../protocol/executable/index.js';
import { createSupportLink, login, startController, type RunningController } from '../helpers/controller-process.js';
import { connectProtocolAgent, helloWithCode } from '../helpers/protocol-agent.js';

const BIG = 256 * 1024 * 1024;
const WINDOWS_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const MAC_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
let dir: string;
let c: RunningController;
let cookie: string;
let head: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relais-agents-'));
  // A sparse 256 MiB "executable" with a recognisable start: cheap on disk, large on the wire.
  head = Buffer.from(`#!/bin/sh\necho ${'x'.repeat(200)}\n`);
  const fd = openSync(join(dir, 'relais-agent-linux-x64'), 'w');
  writeSync(fd, head);
  ftruncateSync(fd, BIG);
  closeSync(fd);
  writeFileSync(join(dir, 'relais-agent-darwin-arm64'), Buffer.alloc(3 * 1024 * 1024, 1));
  c = await startController({ args: ['--agents-dir', dir] });
  cookie = await login(c);
});
afterAll(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The controller's peak resident memory so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('the agent download', () => {
  it('streams the file with the session trailer, the exact length, and without holding it in memory', async () => {
    const link = await createSupportLink(c, cookie);
    const before = peakRss(c.pid);
    const res = await fetch(`${c.url}/download/agent/linux-x64?code=${link.code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="relais-agent-linux-x64"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const length = Number(res.headers.get('content-length'));
    let received = 0;
    let first: Buffer | null = null;
    let tail = Buffer.alloc(0);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const bytes = Buffer.from(chunk);
      first ??= bytes;
      received += bytes.length;
      tail = Buffer.concat([tail, bytes]).subarray(-4096);
    }
    expect(received).toBe(length);
    expect(first?.subarray(0, head.length).equals(head)).toBe(true);
    expect(tail.subarray(-TRAILER_MAGIC.length).toString('latin1')).toBe(TRAILER_MAGIC);
    const payload = findPlainTrailer(tail);
    expect(payload).toBeInstanceOf(Uint8Array);
    expect(parseTrailerPayload(payload as Uint8Array)).toEqual({ kind: 'found', trailer: { v: 1, controller: c.url, code: link.code, lang: 'en' } });
    expect(length).toBe(BIG + (tail.length - tail.lastIndexOf('{"v":1')));
    // A copy of the file in memory would add 256 MiB; streaming adds a few buffers.
    expect(peakRss(c.pid) - before).toBeLessThan(96 * 1024 * 1024);
    const audit = (await (await fetch(`${c.url}/api/audit?action=agent.downloaded`, { headers: { cookie } })).json()) as { entries: Array<{ target: string; detail: Record<string, unknown> }> };
    expect(audit.entries).toEqual([expect.objectContaining({ target: link.id, detail: { platform: 'linux-x64', bytes: length } })]);
  });

  it('refuses unknown platforms, wrong, used and missing codes, and platforms not built', async () => {
    const link = await createSupportLink(c, cookie);
    expect((await fetch(`${c.url}/download/agent/solaris-sparc?code=${link.code}`)).status).toBe(404);
    const head = await fetch(`${c.url}/download/agent/darwin-arm64?code=${link.code}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(3 * 1024 * 1024);
    const wrong = await fetch(`${c.url}/download/agent/linux-x64?code=000000001`);
    expect(wrong.status).toBe(404);
    expect(await errorOf(wrong)).toBe('AUTH_ERR_BAD_CODE');
    expect(await errorOf(await fetch(`${c.url}/download/agent/linux-x64`))).toBe('AUTH_ERR_BAD_CODE');
    const missing = await fetch(`${c.url}/download/agent/win-x64?code=${link.code}`);
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toBe('HTTP_ERR_NOT_FOUND');

    const agent = await connectProtocolAgent(c.url);
    agent.send(helloWithCode(link.code, 'download-host'));
    await agent.next();
    const used = await fetch(`${c.url}/download/agent/darwin-arm64?code=${link.code}`);
    expect(used.status).toBe(410);
    expect(await errorOf(used)).toBe('AUTH_ERR_CODE_USED');
    // The page the person has open now says who they are connected to, not that the link is unusable.
    const page = await (await fetch(`${c.url}/s/${link.code}`)).text();
    expect(page).toContain('You are connected to');
    // Once the session is over, the page says so, rather than that the link cannot be used.
    const devices = (await (await fetch(`${c.url}/api/devices`, { headers: { cookie } })).json()) as { devices: Array<{ id: string; hostname: string }> };
    const device = devices.devices.find((d) => d.hostname === 'download-host');
    expect((await fetch(`${c.url}/api/devices/${device?.id}/end-session`, { method: 'POST', headers: { cookie, origin: c.url } })).status).toBe(204);
    const ended = await fetch(`${c.url}/s/${link.code}`);
    expect(ended.status).toBe(410);
    const endedPage = await ended.text();
    expect(endedPage).toContain('This support session has ended');
    expect(endedPage).not.toContain('cannot be used');
    agent.ws.close();
  });

  it('the support page offers the person\'s one download first, the others and npx under other ways', async () => {
    const link = await createSupportLink(c, cookie);
    const mac = await (await fetch(`${c.url}/s/${link.code}`, { headers: { 'user-agent': MAC_UA } })).text();
    expect(mac).toMatch(/<a class="download" href="\.\.\/download\/agent\/darwin-arm64\?code=\d{9}"[^>]*data-testid="download-darwin-arm64">Download Relais for Mac with Apple silicon \(M1 or later\)\s\(3(\.0)?\sMB\)/);
    expect(mac).toMatch(/<details class="other-ways">[\s\S]*download-linux-x64[\s\S]*support-command[\s\S]*<\/details>/);
    expect(mac).toContain('data-join-watch');
    // No Windows build here: nothing is offered first, every download is listed open.
    const windows = await (await fetch(`${c.url}/s/${link.code}`, { headers: { 'user-agent': WINDOWS_UA } })).text();
    expect(windows).not.toContain('class="download"');
    expect(windows).toContain('<details class="other-ways" open="open">');
    const french = await (await fetch(`${c.url}/s/${link.code}`, { headers: { 'user-agent': MAC_UA, 'accept-language': 'fr-FR,fr' } })).text();
    expect(french).toContain('Télécharger Relais pour Mac avec puce Apple');
  });

  it('lets one address download a few times, then asks it to wait', async () => {
    const link = await createSupportLink(c, cookie);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${c.url}/download/agent/darwin-arm64?code=${link.code}`);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      await res.arrayBuffer();
    }
    // The first test's download counted too (a HEAD does not): five in all, then 429.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
