/** Pure parts of fleet jobs: target resolution, run counts, the agent's ledger on disk, interpreter commands. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobLedger } from '../../agent/jobs/job-ledger.js';
import { interpreterCommand } from '../../agent/jobs/job-process.js';
import { resolveTarget } from '../../controller/server/http/job-routes.js';
import { countsOf } from '../../controller/server/jobs/job-store.js';
import type { ManagedDeviceRecord } from '../../controller/server/fleet/managed-devices.js';
import { paramEnvName, type JobResultMessage } from '../../protocol/index.js';

const device = (id: string, group: string, tags: string[], enrolledAt: number, revokedAt: number | null = null): ManagedDeviceRecord => ({
  id, name: id, group, tags, hostname: id, platform: 'linux', publicKey: '', policy: null, controllerOrigin: '', enrolledAt, revokedAt, lastSeen: 0, summaryJson: null,
});

describe('job targets', () => {
  const devices = [device('a', 'lab', ['x'], 3), device('b', 'lab', ['y'], 1), device('c', 'office', ['x'], 2), device('r', 'lab', ['x'], 0, 5)];
  it('selects by tag, group, ids, and all criteria together; never a revoked device', () => {
    expect(resolveTarget({ tag: 'x' }, devices)).toEqual(['c', 'a']);
    expect(resolveTarget({ group: 'lab' }, devices)).toEqual(['b', 'a']);
    expect(resolveTarget({ group: 'lab', tag: 'x' }, devices)).toEqual(['a']);
    expect(resolveTarget({ deviceIds: ['c', 'a', 'c', 'zz', 'r'] }, devices)).toEqual(['c', 'a']);
    expect(resolveTarget({ tag: 'none' }, devices)).toEqual([]);
  });
});

describe('job counts', () => {
  it('counts dispatched as running and error as failed', () => {
    expect(countsOf([['pending', 2], ['dispatched', 1], ['running', 1], ['error', 1], ['failed', 1], ['timed-out', 1], ['expired', 1]])).toEqual({
      pending: 2, running: 2, succeeded: 0, failed: 2, refused: 0, timedOut: 1, cancelled: 0, expired: 1,
    });
  });
});

describe('the agent job ledger', () => {
  const result: JobResultMessage = {
    t: 'job.result', jobId: 'j1', status: 'succeeded', exitCode: 0, signal: null, startedAt: 1, finishedAt: 2,
    stdoutBytes: 3, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, lastSeq: 0, reason: null,
  };
  it('remembers every job id across restarts, keeps output until acknowledged, and treats a damaged entry as seen', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'relais-ledger-')), 'jobs');
    const first = new JobLedger(dir);
    first.load(() => undefined);
    first.accept('j1', Date.now() + 60_000);
    first.finish('j1', result, [{ stream: 'stdout', seq: 0, data: 'aGkK' }]);
    first.accept('j2', Date.now() + 60_000);
    writeFileSync(join(dir, 'j3.json'), '{"half":');
    const again = new JobLedger(dir);
    const warnings: string[] = [];
    again.load((w) => warnings.push(w));
    expect(again.get('j1')).toMatchObject({ state: 'finished', result, output: [{ seq: 0 }] });
    expect(again.get('j2')?.state).toBe('accepted');
    expect(again.get('j3')?.state).toBe('acked');
    expect(warnings.join('\n')).toContain('j3.json');
    again.acknowledge('j1');
    expect(JSON.parse(readFileSync(join(dir, 'j1.json'), 'utf8'))).toMatchObject({ state: 'acked', output: [], result: { status: 'succeeded' } });
  });
});

describe('interpreters and parameters', () => {
  it('runs the script file with the platform interpreter; cmd only on Windows', () => {
    expect(interpreterCommand('sh', '/s/j.sh', 'linux')).toEqual({ command: 'sh', args: ['/s/j.sh'] });
    expect(interpreterCommand('powershell', 'C:\\j.ps1', 'win32')).toEqual({ command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', 'C:\\j.ps1'] });
    expect(interpreterCommand('powershell', '/s/j.ps1', 'linux')?.command).toBe('pwsh');
    expect(interpreterCommand('cmd', '/s/j.cmd', 'linux')).toBeNull();
    expect(paramEnvName('days')).toBe('RELAIS_PARAM_DAYS');
  });
});
