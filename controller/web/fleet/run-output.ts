/**
 * A run's output: bytes (base64 on the wire) decoded as UTF-8 and shown as text, never
 * as HTML, with what the protocol forbids in text replaced (a bidirectional override in
 * a script's output must not reorder what the technician reads).
 */
import { plainLine, sanitizeText } from '../../../protocol/index.js';
import { el } from '../ui/dom.js';
import type { OutputStream, Run } from './fleet-types.js';
import { formats, wordsOf } from '../app/language.js';
import { jobsCatalog } from './jobs-catalog.js';

const t = wordsOf(jobsCatalog);

/** base64 → bytes. */
export function fromBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Live text of one run: a streaming decoder per stream, so a character split across two messages stays whole. */
export class RunText {
  readonly text: Record<OutputStream, string> = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  /** Appends one `run.output` chunk. */
  append(stream: OutputStream, base64: string): void {
    this.text[stream] += this.decoders[stream].decode(fromBase64(base64), { stream: true });
  }

  /** Replaces everything with the stored output of a finished run. */
  replace(run: Run): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const data = run[stream];
      this.decoders[stream] = new TextDecoder();
      this.text[stream] = data ? new TextDecoder().decode(fromBase64(data)) : '';
    }
  }

  /** The first non-empty line, stdout first, for the runs table. */
  firstLine(): string {
    for (const stream of ['stdout', 'stderr'] as const) {
      const line = this.text[stream].split('\n').map((l) => l.trim()).find(Boolean);
      if (line) return plainLine(line);
    }
    return '';
  }
}

/** One stream in a <pre> (textContent), with a note when the controller kept only the first part. */
export function outputBlock(stream: OutputStream, text: string, run: Run | null): HTMLElement {
  const truncated = stream === 'stdout' ? run?.stdoutTruncated : run?.stderrTruncated;
  const total = stream === 'stdout' ? run?.stdoutBytes : run?.stderrBytes;
  const pre = el('pre', { class: `output output-${stream}`, 'data-testid': `output-${stream}` });
  pre.textContent = sanitizeText(text, { keepNewlines: true });
  return el('div', { class: 'output-block' },
    el('div', { class: 'output-head' }, el('span', { class: 'field-label' }, stream),
      total !== undefined ? el('span', { class: 'muted small' }, formats.size(total)) : null),
    text ? pre : el('p', { class: 'muted small output-empty' }, t('noOutput', { stream })),
    truncated ? el('p', { class: 'notice notice-warn small' }, total !== undefined
      ? t('truncated', { limit: formats.size(1024 * 1024), total: formats.size(total) })
      : t('truncatedUnknown', { limit: formats.size(1024 * 1024) })) : null);
}
