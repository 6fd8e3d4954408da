/**
 * The agent executables the controller hands out (dist/agents/, built by
 * scripts/build-agents.mjs), each with one session's trailer attached per download.
 * A file is 80–130 MB: it is never read into memory per request. What a download needs
 * is read once per platform and file version (size, mtime, inode) and cached; each
 * answer is then a stream of the file from disk plus a small buffer:
 *
 * - plain (Linux, macOS, an unsigned Windows executable): the file, then the trailer;
 * - signed Windows: the patched headers (certificate table size, checksum), the file up
 *   to its certificate table, then that table rebuilt with the trailer as an
 *   unauthenticated attribute, so the signature stays valid.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import {
  AGENT_PLATFORMS, CERT_TABLE_MAX_BYTES, PE_HEADER_BYTES, agentFileName, finishChecksum, looksLikePe, patchHeaders, peLayout, plainTrailer, sumWords, tagCertificateTable,
  type AgentPlatform, type PeLayout,
} from '../../../protocol/executable/index.js';

interface FileVersion {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

type Prepared =
  | { readonly kind: 'plain'; readonly version: FileVersion }
  | {
      readonly kind: 'signed-pe';
      readonly version: FileVersion;
      readonly head: Uint8Array;
      readonly layout: PeLayout;
      readonly table: Uint8Array;
      /** Folded sum of the file's words before the certificate table, checksum and table size counted as zero. */
      readonly sumBeforeTable: number;
    };

/** One download: its length and the bytes, streamed. */
export interface AgentDownload {
  readonly fileName: string;
  readonly length: number;
  readonly body: Readable;
}

const sameVersion = (a: FileVersion, b: FileVersion) => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

export class AgentExecutables {
  private readonly prepared = new Map<AgentPlatform, Promise<Prepared>>();

  constructor(private readonly dir: string) {}

  /** The platforms built here, with each file's size (what the support page offers). */
  async available(): Promise<Map<AgentPlatform, number>> {
    const found = new Map<AgentPlatform, number>();
    await Promise.all(
      AGENT_PLATFORMS.map(async (platform) => {
        const size = await stat(join(this.dir, agentFileName(platform))).then((s) => (s.isFile() ? s.size : null), () => null);
        if (size !== null) found.set(platform, size);
      }),
    );
    return found;
  }

  /** The executable for `platform` with `payload` attached; null when it was not built. */
  async download(platform: AgentPlatform, payload: Uint8Array): Promise<AgentDownload | null> {
    const fileName = agentFileName(platform);
    let file: FileHandle;
    try {
      file = await open(join(this.dir, fileName), 'r');
    } catch {
      return null;
    }
    try {
      const stat = await file.stat();
      const version = { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
      let prepared = await this.prepared.get(platform);
      if (!prepared || !sameVersion(prepared.version, version)) {
        // A rebuilt file is read again; the open handle keeps this version whatever happens to the path.
        const reading = prepare(file, version);
        this.prepared.set(platform, reading);
        reading.catch(() => this.prepared.delete(platform));
        prepared = await reading;
      }
      const answer = assemble(file, prepared, payload);
      return { fileName, ...answer };
    } catch (error) {
      await file.close();
      throw error;
    }
  }
}

async function readRange(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error('executable shorter than expected');
    done += bytesRead;
  }
  return buffer;
}

async function prepare(file: FileHandle, version: FileVersion): Promise<Prepared> {
  const head = await readRange(file, 0, Math.min(PE_HEADER_BYTES, version.size));
  if (!looksLikePe(head)) return { kind: 'plain', version };
  const layout = peLayout(head);
  if (layout.certTableSize === 0) return { kind: 'plain', version };
  if (layout.certTableSize > CERT_TABLE_MAX_BYTES || layout.certTableOffset + layout.certTableSize !== version.size) {
    throw new Error('the executable\'s certificate table is not where a signer puts it');
  }
  const table = await readRange(file, layout.certTableOffset, layout.certTableSize);
  const zeroed = patchHeaders(head, layout, { offset: layout.certTableOffset, size: 0 }, 0);
  let sum = sumWords(zeroed);
  // The rest of the signed part, read once per file version (about 0.3 s for 90 MB), never per download.
  const stream = createReadStream('', { fd: file.fd, autoClose: false, start: head.length, end: layout.certTableOffset - 1, highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) sum = sumWords(chunk as Buffer, sum);
  return { kind: 'signed-pe', version, head, layout, table, sumBeforeTable: sum };
}

function assemble(file: FileHandle, prepared: Prepared, payload: Uint8Array): { length: number; body: Readable } {
  const body = new PassThrough();
  const fromDisk = (start: number, end: number) => createReadStream('', { fd: file.fd, autoClose: false, start, end, highWaterMark: 1024 * 1024 });
  let parts: Array<Uint8Array | (() => Readable)>;
  let length: number;
  if (prepared.kind === 'plain') {
    const trailer = plainTrailer(payload);
    length = prepared.version.size + trailer.length;
    parts = [() => fromDisk(0, prepared.version.size - 1), trailer];
  } else {
    const { layout, head } = prepared;
    const table = tagCertificateTable(prepared.table, payload);
    length = layout.certTableOffset + table.length;
    const sizeWords = (table.length & 0xffff) + (table.length >>> 16);
    const checksum = finishChecksum(sumWords(table, prepared.sumBeforeTable + sizeWords), length);
    parts = [patchHeaders(head, layout, { offset: layout.certTableOffset, size: table.length }, checksum), () => fromDisk(head.length, layout.certTableOffset - 1), table];
  }
  void pipeInOrder(parts, body).finally(() => void file.close());
  return { length, body };
}

/** Resolves when `out` can take more, or is closed (the client left). */
function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done).off('close', done);
      resolve();
    };
    out.on('drain', done).on('close', done);
  });
}

/** Writes buffers and streams into `out` one after the other, with backpressure; an error (or the client leaving) ends it. */
async function pipeInOrder(parts: ReadonlyArray<Uint8Array | (() => Readable)>, out: PassThrough): Promise<void> {
  try {
    for (const part of parts) {
      if (out.destroyed) return;
      if (part instanceof Uint8Array) {
        if (!out.write(part)) await drained(out);
        continue;
      }
      const source = part();
      for await (const chunk of source) {
        if (out.destroyed) {
          source.destroy();
          return;
        }
        if (!out.write(chunk)) await drained(out);
      }
    }
    out.end();
  } catch (error) {
    out.destroy(error as Error);
  }
}
