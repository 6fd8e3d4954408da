/**
 * What a killed agent's transfers leave in a folder is deleted, and nothing else: a
 * real temporary folder, the liveness of processes faked.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_MS, partName, processAlive, sweepLeftoverParts } from '../../agent/files/leftover-parts.js';

const OWN = 4242;
const LIVE = 5151;
const DEAD = 6161;
const isAlive = (pid: number) => pid === LIVE || pid === OWN;

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'relais-parts-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, ageMs = 0): void {
  const path = join(folder, name);
  writeFileSync(path, 'partial bytes');
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(path, at, at);
}

describe('sweepLeftoverParts', () => {
  it("deletes a dead process's temporary files and any left untouched too long; keeps live transfers and everything else", async () => {
    const old = ABANDONED_AFTER_MS + 60_000;
    file(partName('aaaaaaaaaaaa', DEAD));
    file(partName('bbbbbbbbbbbb', LIVE));
    file(partName('cccccccccccc', LIVE), old);
    file(partName('dddddddddddd', OWN));
    file('.relais-eeeeeeeeeeee.part');
    file('.relais-ffffffffffff.part', old);
    file('report.part', old);
    file('.relais-123-short.part', old);
    file('.relais-1-aaaaaaaaaaaa.part.txt', old);
    mkdirSync(join(folder, partName('999999999999', DEAD)));
    symlinkSync(join(folder, 'report.part'), join(folder, partName('abcabcabcabc', DEAD)));

    const removed = await sweepLeftoverParts(folder, { ownPid: OWN, isAlive });

    expect(removed.sort()).toEqual([partName('aaaaaaaaaaaa', DEAD), partName('cccccccccccc', LIVE), '.relais-ffffffffffff.part'].sort());
    expect(readdirSync(folder).sort()).toEqual(
      [
        partName('bbbbbbbbbbbb', LIVE),
        partName('dddddddddddd', OWN),
        '.relais-eeeeeeeeeeee.part',
        'report.part',
        '.relais-123-short.part',
        '.relais-1-aaaaaaaaaaaa.part.txt',
        partName('999999999999', DEAD),
        partName('abcabcabcabc', DEAD),
      ].sort(),
    );
  });

  it('a folder that is not there, or not readable, is left as it is', async () => {
    expect(await sweepLeftoverParts(join(folder, 'missing'))).toEqual([]);
  });

  it('processAlive: this process runs, a pid no process has does not', () => {
    expect(processAlive(process.pid)).toBe(true);
    // Above Linux's pid_max (4,194,304 at most): no process can have it.
    expect(processAlive(4_194_305)).toBe(false);
  });
});
