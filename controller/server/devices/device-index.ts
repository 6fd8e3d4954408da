/**
 * The columns the paged device list filters and sorts on (online, health, sort
 * label, search words, tags), written from the registry's live state so that a
 * page and a `device.update` never disagree. Queries read them in device-directory.ts.
 */
import type { Severity } from '../../../protocol/index.js';
import type { Transaction } from 'kysely';
import type { Db } from '../store/database.js';
import type { Database } from '../store/schema.js';

export interface IndexedFacts {
  readonly id: string;
  readonly name: string | null;
  readonly hostname: string;
  readonly group: string | null;
  readonly tags: readonly string[];
  /** "Debian GNU/Linux 12 linux": what the OS search matches, or null before a summary. */
  readonly os: string | null;
  readonly connectedAt: number | null;
  readonly lastSeen: number;
  readonly worst: Severity | null;
  readonly findingCount: number | null;
}

/** The OS words a summary adds to the search ("Debian GNU/Linux 12 linux"). */
export function osWords(os: { distro?: string; release?: string; platform?: string } | undefined): string | null {
  return os ? [os.distro, os.release, os.platform].filter(Boolean).join(' ') : null;
}

/** The sort key: the display name (a managed device's name, else its host name), case-folded. */
export function sortLabel(name: string | null, hostname: string): string {
  return (name ?? hostname).toLowerCase();
}

/** The text the list's search matches, case-folded; one word per line so a word never spans two fields. */
export function searchText(facts: Pick<IndexedFacts, 'id' | 'name' | 'hostname' | 'group' | 'tags' | 'os'>): string {
  return [facts.name, facts.hostname, facts.group, ...facts.tags, facts.os, facts.id].filter(Boolean).join('\n').toLowerCase();
}

export class DeviceIndex {
  /** What was last written per device, so an unchanged device costs no write. */
  private readonly written = new Map<string, string>();
  private readonly tagsWritten = new Map<string, string>();

  constructor(private readonly db: Db) {}

  /** Nobody is connected to a controller that just started. */
  async resetOnline(): Promise<void> {
    await this.db.updateTable('devices').set({ connected_at: null }).where('connected_at', 'is not', null).execute();
  }

  /** Writes the indexed columns of one device when they changed. */
  async save(facts: IndexedFacts): Promise<void> {
    const row = {
      hostname: facts.hostname,
      last_seen: facts.lastSeen,
      connected_at: facts.connectedAt,
      worst: facts.worst,
      finding_count: facts.findingCount,
      label: sortLabel(facts.name, facts.hostname),
      search: searchText(facts),
    };
    const signature = JSON.stringify(row);
    if (this.written.get(facts.id) !== signature) {
      this.written.set(facts.id, signature);
      await this.db.updateTable('devices').set(row).where('id', '=', facts.id).execute();
    }
    const tags = JSON.stringify(facts.tags);
    if ((this.tagsWritten.get(facts.id) ?? '[]') !== tags) {
      this.tagsWritten.set(facts.id, tags);
      await writeTags(this.db, facts.id, facts.tags);
    }
  }

  forget(id: string): void {
    this.written.delete(id);
    this.tagsWritten.delete(id);
  }
}

/** Replaces a device's tag rows. */
export async function writeTags(db: Db | Transaction<Database>, deviceId: string, tags: readonly string[]): Promise<void> {
  const write = async (tx: Transaction<Database>) => {
    await tx.deleteFrom('device_tags').where('device_id', '=', deviceId).execute();
    const unique = [...new Set(tags)];
    if (unique.length > 0) await tx.insertInto('device_tags').values(unique.map((tag) => ({ tag, device_id: deviceId }))).execute();
  };
  // Inside a caller's transaction already, or in one of its own.
  if (db.isTransaction) await write(db as Transaction<Database>);
  else await db.transaction().execute(write);
}
