/**
 * The paged device list: filters and a keyset cursor in SQL (Kysely, so the same
 * query runs on PostgreSQL), over the columns DeviceIndex keeps. The rows come from
 * the registry when it holds the device, so a page and a `device.update` agree.
 */
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import {
  MAX_FACET_VALUES, RelaisError, deviceSummary, deviceTags, listItemOf, unattendedPolicy,
  type DeviceFacets, type DeviceListItem, type DevicePage, type DeviceQuery,
} from '../../../protocol/index.js';
import type { Db } from '../store/database.js';
import type { Database, DevicesTable } from '../store/schema.js';
import type { DeviceRegistry } from './devices.js';
import type { Selectable } from 'kysely';

/** Attended devices stay listed this long after they were last seen (the support sessions of the day). */
export const ATTENDED_LISTED_MS = 24 * 60 * 60 * 1000;

type Query = SelectQueryBuilder<Database, 'devices', object>;
type Cursor = { s: DeviceQuery['sort']; k: string | number; i: string };

export class DeviceDirectory {
  constructor(private readonly db: Db, private readonly registry: DeviceRegistry) {}

  /** One page of devices matching `query`, with the totals over all pages. */
  async page(query: DeviceQuery): Promise<DevicePage> {
    const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor, query.sort);
    // A page never lags behind the device.update events already sent (a failed write was logged; the page still answers).
    await this.registry.settled().catch(() => undefined);
    let rows = this.filtered(query).selectAll('devices');
    if (cursor) rows = rows.where((eb) => after(eb, cursor));
    rows = query.sort === 'recent' ? rows.orderBy('devices.last_seen', 'desc').orderBy('devices.id', 'desc') : rows.orderBy('devices.label').orderBy('devices.id');
    const [found, totals] = await Promise.all([
      rows.limit(query.limit + 1).execute(),
      this.filtered(query)
        .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('devices.connected_at').as('online')])
        .executeTakeFirstOrThrow(),
    ]);
    const page = found.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      devices: page.map((row) => this.registry.item(row.id) ?? fromRow(row)),
      nextCursor: found.length > query.limit && last ? encodeCursor({ s: query.sort, k: query.sort === 'recent' ? last.last_seen : last.label, i: last.id }) : null,
      total: Number(totals.total),
      online: Number(totals.online),
    };
  }

  /** The groups and tags of managed devices, with counts, for the filter menus (bounded). */
  async facets(): Promise<DeviceFacets> {
    const [groups, tags] = await Promise.all([
      this.db
        .selectFrom('devices')
        .select((eb) => ['group_name as value', eb.fn.countAll<number>().as('count')])
        .where('kind', '=', 'managed')
        .where('group_name', 'is not', null)
        .groupBy('group_name')
        .orderBy('group_name')
        .limit(MAX_FACET_VALUES + 1)
        .execute(),
      this.db
        .selectFrom('device_tags')
        .select((eb) => ['tag as value', eb.fn.countAll<number>().as('count')])
        .groupBy('tag')
        .orderBy('tag')
        .limit(MAX_FACET_VALUES + 1)
        .execute(),
    ]);
    const values = (list: Array<{ value: string | null; count: number }>) =>
      list.slice(0, MAX_FACET_VALUES).map((r) => ({ value: r.value ?? '', count: Number(r.count) }));
    return { groups: values(groups), tags: values(tags), truncated: groups.length > MAX_FACET_VALUES || tags.length > MAX_FACET_VALUES };
  }

  private filtered(query: DeviceQuery): Query {
    let q: Query = this.db.selectFrom('devices');
    const since = Date.now() - ATTENDED_LISTED_MS;
    // Attended devices are the day's support sessions; managed ones stay until removed.
    // With a kind, the condition stays a plain equality so the (kind, label, id) index serves the page.
    const recentSession = (eb: ExpressionBuilder<Database, 'devices'>) => eb.or([eb('devices.last_seen', '>=', since), eb('devices.connected_at', 'is not', null)]);
    if (query.kind === 'managed') q = q.where('devices.kind', '=', 'managed');
    else if (query.kind === 'attended') q = q.where('devices.kind', '=', 'attended').where(recentSession);
    else q = q.where((eb) => eb.or([eb('devices.kind', '=', 'managed'), recentSession(eb)]));
    if (query.online !== undefined) q = q.where('devices.connected_at', query.online ? 'is not' : 'is', null);
    if (query.revoked !== undefined) q = q.where('devices.revoked_at', query.revoked ? 'is not' : 'is', null);
    if (query.session) {
      const ended = (eb: ExpressionBuilder<Database, 'devices'>) =>
        eb('devices.id', 'in', eb.selectFrom('support_sessions').select('device_id').where('status', '=', 'ended'));
      q = q.where((eb) => (query.session === 'ended' ? ended(eb) : eb.not(ended(eb))));
    }
    if (query.health === 'issues') q = q.where('devices.finding_count', '>', 0);
    else if (query.health === 'critical') q = q.where('devices.worst', '=', 'critical');
    else if (query.health === 'healthy') q = q.where('devices.finding_count', '=', 0);
    else if (query.health === 'unchecked') q = q.where('devices.finding_count', 'is', null);
    if (query.group !== undefined) q = q.where('devices.group_name', '=', query.group);
    if (query.tag !== undefined) {
      const tag = query.tag;
      q = q.where('devices.id', 'in', (eb) => eb.selectFrom('device_tags').select('device_id').where('tag', '=', tag));
    }
    for (const word of words(query.q)) q = q.where(sql<boolean>`devices.search LIKE ${`%${escapeLike(word)}%`} ESCAPE '\\'`);
    return q;
  }
}

/** Rows strictly after the cursor in the page's order: a row-value comparison, which an index range serves (SQLite and PostgreSQL). */
function after(eb: ExpressionBuilder<Database, 'devices'>, cursor: Cursor) {
  if (cursor.s === 'recent') return eb(eb.refTuple('devices.last_seen', 'devices.id'), '<', eb.tuple(Number(cursor.k), cursor.i));
  return eb(eb.refTuple('devices.label', 'devices.id'), '>', eb.tuple(String(cursor.k), cursor.i));
}

function words(q: string | undefined): string[] {
  return (q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
}

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string, sort: DeviceQuery['sort']): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    const keyOk = sort === 'recent' ? typeof value.k === 'number' : typeof value.k === 'string';
    if (value.s === sort && keyOk && typeof value.i === 'string') return value as Cursor;
  } catch {
    // Falls through to the refusal below.
  }
  throw new RelaisError('HTTP_ERR_BAD_REQUEST', 'cursor: not a cursor from a previous page of this list (with the same sort).');
}

/** A device the registry does not hold (an older support session): built from its row alone. */
function fromRow(row: Selectable<DevicesTable>): DeviceListItem {
  const summary = row.summary_json ? deviceSummary.safeParse(JSON.parse(row.summary_json)) : null;
  const tags = row.tags_json ? deviceTags.safeParse(JSON.parse(row.tags_json)) : null;
  const policy = row.policy_json ? unattendedPolicy.safeParse(JSON.parse(row.policy_json)) : null;
  const managed = row.kind === 'managed';
  return listItemOf({
    id: row.id,
    sessionId: null,
    hostname: row.hostname,
    online: row.connected_at !== null,
    lastSeen: row.last_seen,
    connectedAt: row.connected_at,
    technician: null,
    sessionStatus: managed ? 'active' : 'ended',
    summary: summary?.success ? summary.data : null,
    worstSeverity: row.worst,
    ...(row.finding_count !== null ? { findingCount: row.finding_count } : {}),
    kind: row.kind,
    ...(managed
      ? { name: row.name ?? row.hostname, group: row.group_name ?? '', tags: tags?.success ? tags.data : [], policy: policy?.success ? policy.data : null, revoked: row.revoked_at !== null }
      : {}),
  });
}
