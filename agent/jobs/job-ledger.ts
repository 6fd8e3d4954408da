/**
 * The job ledger: one JSON file per job id in `<state>/jobs/`, written whole and
 * fsynced (file, then folder) BEFORE the agent acts on a job. A job id found here
 * is never run again — not after a reconnect, not after a restart — a second
 * job.run gets the stored result instead. The output stays here until the
 * controller acknowledges the result (job.ack); then only the result is kept.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { base64, id, jobResultMessage, jobStream, type JobResultMessage, type JobStream } from '../../protocol/index.js';
import { agentWords } from '../cli/agent-language.js';
import { managedCatalog } from '../managed/managed-catalog.js';

const words = agentWords(managedCatalog);

export const ledgerEntry = z.object({
  version: z.literal(1),
  jobId: id,
  /** accepted: seen, not finished (a restart finds it so only when the agent died mid-job); finished: result and output kept; acked: result only. */
  state: z.enum(['accepted', 'finished', 'acked']),
  acceptedAt: z.number().int(),
  expiresAt: z.number().int(),
  result: jobResultMessage.nullable(),
  output: z.array(z.object({ stream: jobStream, seq: z.number().int().min(0), data: base64 })),
  /** The script's process group while it runs, so a restart after a crash can end it. */
  group: z.object({ pid: z.number().int().min(1), startTime: z.string().max(32).nullable() }).nullable().optional(),
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;
export interface OutputRecord {
  readonly stream: JobStream;
  readonly seq: number;
  readonly data: string;
}

/** Acknowledged entries are forgotten this long after their job expired (the controller never sends it again by then). */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

export class JobLedger {
  private readonly entries = new Map<string, LedgerEntry>();

  constructor(private readonly dir: string) {}

  /** Reads every entry; unreadable files are kept (and reported) so their ids still count as seen. */
  load(warn: (text: string) => void): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const jobId = name.slice(0, -5);
      try {
        const entry = ledgerEntry.parse(JSON.parse(readFileSync(join(this.dir, name), 'utf8')));
        if (entry.state === 'acked' && entry.expiresAt + KEEP_AFTER_EXPIRY_MS < Date.now()) {
          unlinkSync(join(this.dir, name));
          continue;
        }
        this.entries.set(entry.jobId, entry);
      } catch (error) {
        warn(words('ledgerDamaged', { name, jobId, error: error instanceof Error ? error.message : String(error) }));
        this.entries.set(jobId, { version: 1, jobId, state: 'acked', acceptedAt: 0, expiresAt: 0, result: null, output: [] });
      }
    }
  }

  get(jobId: string): LedgerEntry | undefined {
    return this.entries.get(jobId);
  }

  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  /** Records that the job was seen, durably, before anything runs. */
  accept(jobId: string, expiresAt: number): LedgerEntry {
    const entry: LedgerEntry = { version: 1, jobId, state: 'accepted', acceptedAt: Date.now(), expiresAt, result: null, output: [] };
    this.write(entry);
    return entry;
  }

  /** Records the running script's process group (durably, like everything here). */
  running(jobId: string, group: { pid: number; startTime: string | null }): void {
    const entry = this.entries.get(jobId);
    if (entry?.state === 'accepted') this.write({ ...entry, group });
  }

  /** Stores the final result with the output kept so far, until the controller acknowledges it. */
  finish(jobId: string, result: JobResultMessage, output: readonly OutputRecord[]): LedgerEntry {
    const previous = this.entries.get(jobId);
    const entry: LedgerEntry = { version: 1, jobId, state: 'finished', acceptedAt: previous?.acceptedAt ?? Date.now(), expiresAt: previous?.expiresAt ?? 0, result, output: [...output] };
    this.write(entry);
    return entry;
  }

  /** The controller stored the result: the output may go. */
  acknowledge(jobId: string): void {
    const entry = this.entries.get(jobId);
    if (!entry || entry.state !== 'finished') return;
    this.write({ ...entry, state: 'acked', output: [] });
  }

  private write(entry: LedgerEntry): void {
    const path = join(this.dir, `${entry.jobId}.json`);
    const temporary = `${path}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(entry));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    syncFolder(this.dir);
    this.entries.set(entry.jobId, entry);
  }
}

/** Makes a rename durable (where the platform lets a folder be fsynced). */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
