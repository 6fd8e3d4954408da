/** The printing starter scripts: seeded by migration 0009 next to 0004's, valid scripts, and named by the printer findings. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../controller/server/store/database.js';
import { PRINTING_STARTER_SCRIPTS } from '../../controller/server/store/printing-scripts.js';
import { scriptBody, scriptName, scriptParameter } from '../../protocol/index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('printing starter scripts', () => {
  it('migration 0009 seeds them as built-in scripts beside the 0004 ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relais-print-scripts-'));
    dirs.push(dir);
    const db = await openDatabase({ dataDir: dir });
    try {
      const rows = await db.selectFrom('scripts').select(['name', 'interpreter', 'built_in']).execute();
      const byName = new Map(rows.map((r) => [r.name, r]));
      expect(byName.get('clear-print-queue')).toMatchObject({ interpreter: 'sh', built_in: 1 });
      expect(byName.get('clear-print-queue-windows')).toMatchObject({ interpreter: 'powershell', built_in: 1 });
      expect(byName.get('restart-cups')).toMatchObject({ interpreter: 'sh', built_in: 1 });
      expect(byName.get('restart-print-spooler')).toMatchObject({ interpreter: 'powershell' });
    } finally {
      await db.destroy();
    }
  });

  it('each is a valid library script, and the sh ones parse', () => {
    for (const s of PRINTING_STARTER_SCRIPTS) {
      expect(scriptName.safeParse(s.name).success, s.name).toBe(true);
      expect(scriptBody.safeParse(s.body).success, s.name).toBe(true);
      for (const p of s.parameters) expect(scriptParameter.safeParse(p).success, s.name).toBe(true);
      if (s.interpreter === 'sh') {
        const file = join(mkdtempSync(join(tmpdir(), 'relais-sh-')), `${s.name}.sh`);
        dirs.push(file.slice(0, file.lastIndexOf('/')));
        writeFileSync(file, s.body);
        execFileSync('sh', ['-n', file]);
      }
    }
  });

  it('clear-print-queue says so where CUPS is missing, instead of failing obscurely', () => {
    const body = PRINTING_STARTER_SCRIPTS.find((s) => s.name === 'clear-print-queue')!.body;
    const run = () => execFileSync('/bin/sh', ['-c', body], { env: { PATH: '/nonexistent' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run).toThrow(/CUPS is not installed here/);
  });
});
