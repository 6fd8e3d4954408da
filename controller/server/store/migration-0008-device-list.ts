/**
 * 0008: what the paged device list and the paged job runs query, indexed. Devices
 * get their live state (online, health) and a sort label and search text as
 * columns, tags get a table of their own; existing rows are filled in here.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { osWords, searchText, sortLabel } from '../devices/device-index.js';

export const deviceListMigration: Migration = {
  async up(db: Kysely<any>) {
    const columns: Array<[string, 'text' | 'integer']> = [['connected_at', 'integer'], ['worst', 'text'], ['finding_count', 'integer']];
    for (const [name, type] of columns) await db.schema.alterTable('devices').addColumn(name, type).execute();
    await db.schema.alterTable('devices').addColumn('label', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('devices').addColumn('search', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema
      .createTable('device_tags')
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('device_tags_pk', ['tag', 'device_id'])
      .execute();
    await db.schema.createIndex('device_tags_device').on('device_tags').column('device_id').execute();

    const latest = await db
      .selectFrom('snapshots')
      .select(['device_id', 'worst', 'findings_json'])
      .where('id', 'in', (qb: any) => qb.selectFrom('snapshots').select((eb: any) => eb.fn.max('id').as('id')).groupBy('device_id'))
      .execute();
    const health = new Map(latest.map((r: any) => [r.device_id as string, { worst: r.worst as string | null, count: (JSON.parse(r.findings_json) as unknown[]).length }]));
    const rows = await db.selectFrom('devices').select(['id', 'name', 'hostname', 'group_name', 'tags_json', 'summary_json']).execute();
    for (const row of rows) {
      const tags = parseTags(row.tags_json);
      const os = parseOs(row.summary_json);
      const h = health.get(row.id);
      await db
        .updateTable('devices')
        .set({
          label: sortLabel(row.name, row.hostname),
          search: searchText({ id: row.id, name: row.name, hostname: row.hostname, group: row.group_name, tags, os }),
          worst: h?.worst ?? null,
          finding_count: h?.count ?? null,
        })
        .where('id', '=', row.id)
        .execute();
      if (tags.length > 0) await db.insertInto('device_tags').values([...new Set(tags)].map((tag) => ({ tag, device_id: row.id }))).execute();
    }

    // Each list order is one index walk: by name, or most recently seen; per kind, and per group.
    await db.schema.createIndex('devices_kind_label').on('devices').columns(['kind', 'label', 'id']).execute();
    await db.schema.createIndex('devices_kind_seen').on('devices').columns(['kind', 'last_seen', 'id']).execute();
    await db.schema.createIndex('devices_group_label').on('devices').columns(['group_name', 'label', 'id']).execute();
    await db.schema.createIndex('devices_connected').on('devices').column('connected_at').execute();
    // A job's runs are paged in target order, optionally by status.
    await db.schema.createIndex('job_runs_order').on('job_runs').columns(['job_id', 'position']).execute();
    await db.schema.createIndex('job_runs_status').on('job_runs').columns(['job_id', 'status', 'position']).execute();
    await sql`ANALYZE`.execute(db).catch(() => undefined);
  },
};

function parseTags(json: string | null): string[] {
  try {
    const value: unknown = json ? JSON.parse(json) : [];
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

function parseOs(json: string | null): string | null {
  try {
    return osWords(json ? (JSON.parse(json) as { os?: { distro?: string; release?: string; platform?: string } }).os : undefined);
  } catch {
    return null;
  }
}
