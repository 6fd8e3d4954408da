/**
 * A file arriving on this machine: written to a hidden temporary file beside its
 * destination as the bytes come, hashed as they come, and each write's bytes
 * acknowledged (credit) only once the disk has taken them, so the sender never runs
 * ahead of the disk by more than the window. At the end the size and SHA-256 are
 * compared with the sender's; only then does the file take its name — a name no
 * other file has (a hard link fails rather than replace one). Anything else
 * deletes the temporary file; one left by a killed agent is deleted when the
 * next file is offered into that folder (leftover-parts.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { numberedFileName, type FileErrorCode } from '../../protocol/index.js';
import { ioFailure } from './file-paths.js';
import { partName } from './leftover-parts.js';

/** Where the file goes and what must arrive. */
export interface IncomingTarget {
  readonly folder: string;
  readonly name: string;
  readonly size: number;
}

/** What the transfer hears from the file as it is written. */
export interface IncomingEvents {
  /** The disk took these bytes: the credit the sender gets back. */
  written(bytes: number): void;
  /** A write failed (disk full, permission): the transfer must stop. */
  failed(code: FileErrorCode, detail: string): void;
}

export type IncomingOutcome = { readonly ok: true; readonly savedAs: string; readonly sha256: string } | { readonly ok: false; readonly code: FileErrorCode; readonly detail: string };

/** Where a failed hard link means "this file system has none" rather than "taken": fall back to a checked rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

export class IncomingFile {
  private readonly hash = createHash('sha256');
  private queue: Uint8Array[] = [];
  private writing: Promise<void> | null = null;
  private failure: { code: FileErrorCode; detail: string } | null = null;
  private closed = false;
  /** Bytes received so far (some may still be on their way to the disk). */
  received = 0;
  /** Bytes the disk has taken. */
  written = 0;

  private constructor(
    readonly target: IncomingTarget,
    readonly temporary: string,
    private readonly handle: FileHandle,
    private readonly events: IncomingEvents,
  ) {}

  /** Creates the temporary file (readable by this user only until it is complete). */
  static async create(target: IncomingTarget, events: IncomingEvents): Promise<IncomingFile> {
    const temporary = path.join(target.folder, partName(randomBytes(6).toString('hex')));
    const handle = await open(temporary, 'wx', 0o600);
    return new IncomingFile(target, temporary, handle, events);
  }

  /** Bytes from the sender, in order. False when they go past the announced size (the transfer must fail). */
  write(bytes: Uint8Array): boolean {
    if (this.closed || this.failure) return true;
    if (this.received + bytes.byteLength > this.target.size) {
      this.failure = { code: 'FILE_ERR_SIZE_MISMATCH', detail: `> ${this.target.size}` };
      return false;
    }
    this.received += bytes.byteLength;
    this.hash.update(bytes);
    this.queue.push(bytes);
    this.writing ??= this.drain();
    return true;
  }

  /**
   * The sender has sent everything: once the disk has it all, compares size and
   * SHA-256 with the sender's, then gives the file its name (or deletes it).
   */
  async finish(expected: { size: number; sha256: string }): Promise<IncomingOutcome> {
    while (this.writing) await this.writing;
    const problem = this.failure ?? this.mismatch(expected);
    if (problem) {
      await this.abort();
      return { ok: false, ...problem };
    }
    const sha256 = this.hash.digest('hex');
    if (sha256 !== expected.sha256) {
      await this.abort();
      return { ok: false, code: 'FILE_ERR_INTEGRITY', detail: `${sha256} != ${expected.sha256}` };
    }
    try {
      this.closed = true;
      await this.handle.close();
      const savedAs = await placeWithoutReplacing(this.temporary, this.target.folder, this.target.name);
      return { ok: true, savedAs, sha256 };
    } catch (error) {
      await unlink(this.temporary).catch(() => undefined);
      return ioFailure(error);
    }
  }

  /** Stops and deletes the temporary file (cancelled, failed, connection lost). */
  async abort(): Promise<void> {
    const wasOpen = !this.closed;
    this.closed = true;
    this.queue = [];
    while (this.writing) await this.writing;
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await unlink(this.temporary).catch(() => undefined);
  }

  private mismatch(expected: { size: number }): { code: FileErrorCode; detail: string } | null {
    if (expected.size === this.target.size && this.written === expected.size) return null;
    return { code: 'FILE_ERR_SIZE_MISMATCH', detail: `${this.written} != ${expected.size} (${this.target.size})` };
  }

  /** Writes what is queued, several chunks per system call, until the queue is empty. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.closed && !this.failure) {
        const batch = this.queue;
        this.queue = [];
        let bytes = 0;
        for (const chunk of batch) bytes += chunk.byteLength;
        await writeAll(this.handle, batch, bytes);
        this.written += bytes;
        this.events.written(bytes);
      }
    } catch (error) {
      const failure = ioFailure(error);
      this.failure = { code: failure.code, detail: failure.detail };
      this.events.failed(failure.code, failure.detail);
    } finally {
      this.writing = null;
    }
  }
}

/** writev until every byte is written (a short write continues where it stopped). */
async function writeAll(handle: FileHandle, chunks: Uint8Array[], total: number): Promise<void> {
  let buffers = chunks;
  let left = total;
  while (left > 0) {
    const { bytesWritten } = await handle.writev(buffers);
    left -= bytesWritten;
    if (left === 0) return;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const buffer of buffers) {
      if (skip >= buffer.byteLength) skip -= buffer.byteLength;
      else {
        rest.push(buffer.subarray(skip));
        skip = 0;
      }
    }
    buffers = rest;
  }
}

/** Gives the temporary file the first free name among `name`, `name (1)`, ...: never over another file. */
async function placeWithoutReplacing(temporary: string, folder: string, name: string): Promise<string> {
  for (let n = 0; n < 10_000; n++) {
    const target = path.join(folder, n === 0 ? name : numberedFileName(name, n));
    try {
      await link(temporary, target);
      await unlink(temporary);
      return target;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') continue;
      if (!NO_HARD_LINKS.has(code)) throw error;
      // No hard links here (FAT, some network shares): a rename onto a name checked free.
      if (await stat(target).then(() => true, () => false)) continue;
      await rename(temporary, target);
      return target;
    }
  }
  throw new Error('no-free-name');
}
