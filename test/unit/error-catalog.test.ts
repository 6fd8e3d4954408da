import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERRORS, RelaisError, describeError } from '../../protocol/index.js';
import { repoRoot } from '../helpers/paths.js';

describe('error catalog', () => {
  it('the README table lists exactly the catalog, with the same status, close code and words', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+_ERR_[A-Z_]+)` \| (\d+) \| (\d+|—) \| (.+) \|$/gm)];
    const documented = Object.fromEntries(rows.map((r) => [r[1], { status: Number(r[2]), close: r[3] === '—' ? null : Number(r[3]), message: r[4] }]));
    expect(documented).toEqual(ERRORS);
  });

  it('close codes are in the application range or standard ones, and messages say something', () => {
    const allowed = new Set<number>([...Object.values(CLOSE_CODES), 1009, 1011]);
    for (const [code, spec] of Object.entries(ERRORS)) {
      if (spec.close !== null) expect(allowed, code).toContain(spec.close);
      expect(spec.message.length, code).toBeGreaterThan(8);
      expect(spec.message.endsWith('.'), code).toBe(true);
    }
    for (const close of Object.values(CLOSE_CODES)) expect(close >= 4000 && close <= 4999).toBe(true);
  });

  it('RelaisError carries the catalog fields and optional detail', () => {
    const err = new RelaisError('AUTH_ERR_CODE_USED', 'Code 1.');
    expect(err).toMatchObject({ code: 'AUTH_ERR_CODE_USED', status: 410, close: 4401, detail: 'Code 1.' });
    expect(err.message).toBe(`${ERRORS.AUTH_ERR_CODE_USED.message} Code 1.`);
    expect(describeError('SHELL_ERR_DECLINED')).toBe(ERRORS.SHELL_ERR_DECLINED.message);
    expect(describeError('SOMETHING_ELSE')).toBe('SOMETHING_ELSE');
  });
});
