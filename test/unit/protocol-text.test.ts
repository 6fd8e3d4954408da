/**
 * One text sanitiser for every side (protocol/text.ts): what the schemas refuse is what
 * the agent, the CLI, the web UI and the controller replace; byte lengths are JSON's own;
 * cutting to fit never splits a surrogate pair. Issue 8 point 9: the CLI let bidirectional
 * overrides through, so a device name could reorder what `relais fleet` prints.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_TEXT, fitText, isPlainText, jsonByteLength, plainLine, plainText, sanitizeText, text, type Job, type Run } from '../../protocol/index.js';
import { textReport } from '../../controller/cli/job-report.js';
import { runsTable } from '../../controller/cli/summary-table.js';

const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

describe('the one definition of forbidden text', () => {
  it('names C0 but tab, DEL, C1, bidirectional overrides and isolates, and lone surrogates', () => {
    for (const c of ['\u0000', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u202a', '\u202e', '\u2066', '\u2069', '\ud800', '\udfff']) {
      expect(isPlainText(`a${c}b`), JSON.stringify(c)).toBe(false);
      expect(text(10).safeParse(`a${c}b`).success, JSON.stringify(c)).toBe(false);
    }
    for (const fine of ['a\tb', 'Zoë — 日本 😀', '\u2028', '\u200f', '']) expect(isPlainText(fine), JSON.stringify(fine)).toBe(true);
  });

  it('whatever the sanitiser returns passes the schema (any string at all)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
      const clean = sanitizeText(value);
      expect(isPlainText(clean)).toBe(true);
      expect(clean).toHaveLength(value.length);
      expect(text(200).safeParse(plainText(value, 200)).success).toBe(true);
    }), { seed: 9 });
  });

  it('replaces lone surrogates with U+FFFD and the rest with spaces; keeps line feeds only when asked', () => {
    expect(sanitizeText('a\u202eb\ud800c\u001b[2Jd\ne')).toBe('a b\ufffdc [2Jd e');
    expect(sanitizeText('a\nb\r\n\u202e', { keepNewlines: true })).toBe('a\nb \n ');
    expect(sanitizeText('a\tb', { tabsToSpaces: true })).toBe('a b');
    expect(FORBIDDEN_TEXT.flags).not.toContain('g');
  });
});

describe('bytes and cutting', () => {
  it('jsonByteLength is the UTF-8 length of JSON.stringify without the quotes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
      expect(jsonByteLength(value)).toBe(Buffer.byteLength(JSON.stringify(value)) - 2);
    }), { seed: 7 });
    expect(jsonByteLength('\ud800')).toBe(6);
    expect(jsonByteLength('😀')).toBe(4);
  });

  it('fitText cuts to the char and the byte limit, never splitting a surrogate pair', () => {
    expect(fitText('abcdef', 4)).toBe('abc…');
    expect(fitText('abc', 3)).toBe('abc');
    expect(fitText('ab😀cd', 4)).toBe('ab…');
    expect(fitText('€€€€', 10, 9)).toBe('€€…');
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 3, max: 120 }), (value, chars, bytes) => {
      const cut = fitText(value, chars, bytes);
      expect(cut.length).toBeLessThanOrEqual(chars);
      expect(jsonByteLength(cut)).toBeLessThanOrEqual(bytes);
      expect(isPlainText(cut) || !isPlainText(value)).toBe(true);
      expect(/[\ud800-\udbff]$/.test(cut.replace(/…$/, ''))).toBe(false);
    }), { seed: 8 });
  });
});

describe('relais fleet prints untrusted text safely', () => {
  const run: Run = {
    jobId: 'j1', deviceId: 'dev1', status: 'failed', exitCode: 1, signal: null, startedAt: 1, finishedAt: 2, durationMs: 1,
    stdoutBytes: 0, stderrBytes: 0, stdoutTruncated: false, stderrTruncated: false, reason: null,
  };
  const job = { id: 'j1', scriptName: 'disk-usage', status: 'completed' } as Job;

  it('a device name with bidirectional overrides cannot reorder the table', () => {
    const name = 'lab-pc\u202e\u2066 exe.txt\u2069';
    const out = runsTable([{ run, deviceLabel: name, firstLine: 'ok' }]);
    expect(out).not.toMatch(BIDI);
    expect(out).toContain('lab-pc');
    const report = textReport(job, [{ ...run, stdout: Buffer.from('evil\u202eoutput\u001b[2J\n').toString('base64'), stderr: '' }], new Map([['dev1', name]]));
    expect(report).not.toMatch(BIDI);
    expect(report).not.toContain('\u001b');
    expect(plainLine('a\u202eb\tc')).toBe('a b c');
  });
});
