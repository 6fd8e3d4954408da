/**
 * The columns the paged device list filters and sorts on (online, health, sort
 * label, search words, tags, and the host name and last-seen time), written from
 * the registry's live state, in batches, so that a page and a `device.update` never
 * disagree. Queries read them in device-directory.ts (after a flush).
 */
import type { Severity } from '../../../protocol/index.js';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { quietLog, type Log } from '../observability/logger.js';

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

/** Changes are written together, in one transaction, this long after the first of them. */
const FLUSH_DELAY_MS = 20;

export class DeviceIndex {
  /** What was last written per device, so an unchanged device costs no write. */
  private readonly written = new Map<string, string>();
  /** The connection time this node last wrote or learned per device: an offline write ends that one only. */
  private readonly connectionKnown = new Map<string, number | null>();
  private readonly tagsWritten = new Map<string, string>();
  /** The latest facts of each device with a write waiting. */
  private readonly pending = new Map<string, IndexedFacts>();
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db, private readonly log: Log = quietLog) {}

  /**
   * Nobody is connected to a controller that just started. On a cluster node, the devices
   * other nodes hold stay online: `heldElsewhere` is asked only after the rows were read,
   * and only rows connected before `startedAt` are cleared, so a device that reconnects to
   * another node meanwhile (after a node's death, or a balancer spreading agents again) is
   * never marked offline behind that node's back.
   */
  async resetOnline(heldElsewhere?: () => Promise<ReadonlySet<string>>, startedAt = Date.now()): Promise<void> {
    if (!heldElsewhere) {
      await this.db.updateTable('devices').set({ connected_at: null }).where('connected_at', 'is not', null).execute();
      return;
    }
    const online = await this.db.selectFrom('devices').select('id').where('connected_at', 'is not', null).where('connected_at', '<', startedAt).execute();
    const keep = await heldElsewhere();
    const stale = online.map((row) => row.id).filter((id) => !keep.has(id));
    for (let at = 0; at < stale.length; at += 500) {
      await this.db.updateTable('devices').set({ connected_at: null }).where('id', 'in', stale.slice(at, at + 500)).where('connected_at', '<', startedAt).execute();
    }
  }

  /** Records what the store already holds for a device (loaded at start), so it is not written again. */
  remember(facts: IndexedFacts): void {
    this.written.set(facts.id, JSON.stringify(rowOf(facts)));
    this.connectionKnown.set(facts.id, facts.connectedAt);
    this.tagsWritten.set(facts.id, JSON.stringify(facts.tags));
  }

  /**
   * Queues the indexed columns of one device to be written when they changed. A burst
   * (10,000 agents reconnecting) becomes a few transactions, not 10,000 queued queries.
   */
  save(facts: IndexedFacts): void {
    this.pending.set(facts.id, facts);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush().catch((err: unknown) => this.log.warn({ err }, 'devices: the list index was not written'));
    }, FLUSH_DELAY_MS);
  }

  /** Writes whatever is queued; resolves once the store holds every change saved so far (a page read after it sees them). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.flushing = this.db
      .transaction()
      .execute(async (tx) => {
        for (const facts of batch) {
          const row = rowOf(facts);
          const signature = JSON.stringify(row);
          if (this.written.get(facts.id) !== signature) {
            this.written.set(facts.id, signature);
            const known = this.connectionKnown.get(facts.id);
            this.connectionKnown.set(facts.id, row.connected_at);
            // Offline ends the connection this node knew, not one another node wrote since (the
            // agent reconnected there before this batch committed): that row stays online.
            const connectedAt = row.connected_at === null && typeof known === 'number'
              ? sql<number | null>`case when connected_at = ${known} then null else connected_at end`
              : row.connected_at;
            await tx.updateTable('devices').set({ ...row, connected_at: connectedAt }).where('id', '=', facts.id).execute();
          }
          const tags = JSON.stringify(facts.tags);
          if ((this.tagsWritten.get(facts.id) ?? '[]') !== tags) {
            this.tagsWritten.set(facts.id, tags);
            await writeTags(tx, facts.id, facts.tags);
          }
        }
      })
      .finally(() => (this.flushing = null));
    await this.flushing;
  }

  /** The device is offline unless the store shows a connection other than `connectedAt` (written by the node that holds it now). */
  async offlineIfStill(id: string, connectedAt: number, lastSeen: number): Promise<void> {
    this.pending.delete(id);
    // The next save writes the whole row again, whatever this one changed.
    this.written.delete(id);
    this.connectionKnown.delete(id);
    while (this.flushing) await this.flushing;
    await this.db.updateTable('devices').set({ connected_at: null, last_seen: lastSeen }).where('id', '=', id).where('connected_at', '=', connectedAt).execute();
  }

  /**
   * Writes online again, with this node's connection time, the devices it holds whose row shows
   * them offline (`connected`: id → connection time). The owner of a connection repairs what a
   * race between nodes left behind; a row another node wrote online is not touched. Returns
   * how many rows it repaired.
   */
  async onlineIfOffline(connected: ReadonlyMap<string, number>): Promise<number> {
    const ids = [...connected.keys()];
    let repaired = 0;
    for (let at = 0; at < ids.length; at += 500) {
      const offline = await this.db.selectFrom('devices').select('id').where('id', 'in', ids.slice(at, at + 500)).where('connected_at', 'is', null).execute();
      for (const { id } of offline) {
        const since = connected.get(id)!;
        const result = await this.db.updateTable('devices').set({ connected_at: since }).where('id', '=', id).where('connected_at', 'is', null).executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) {
          repaired += 1;
          this.connectionKnown.set(id, since);
        }
      }
    }
    return repaired;
  }

  forget(id: string): void {
    this.pending.delete(id);
    this.written.delete(id);
    this.connectionKnown.delete(id);
    this.tagsWritten.delete(id);
  }
}

function rowOf(facts: IndexedFacts) {
  return {
    hostname: facts.hostname,
    last_seen: facts.lastSeen,
    connected_at: facts.connectedAt,
    worst: facts.worst,
    finding_count: facts.findingCount,
    label: sortLabel(facts.name, facts.hostname),
    search: searchText(facts),
  };
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
