/** Managed (enrolled) devices in the store: enrollment, lookup by id, what each reports on connecting, revocation. */
import { RelaisError, deviceTags, unattendedPolicy, type UnattendedPolicy } from '../../../protocol/index.js';
import { newId } from '../auth/tokens.js';
import type { Db } from '../store/database.js';
import { isUniqueViolation } from '../store/dialect.js';
import type { Insertable, Selectable } from 'kysely';
import { searchText, sortLabel, writeTags } from '../devices/device-index.js';
import type { DevicesTable } from '../store/schema.js';
import { EnrollmentTokens } from './enrollment-tokens.js';

export interface ManagedDeviceRecord {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly tags: readonly string[];
  readonly hostname: string;
  readonly platform: string;
  /** Ed25519 public key, raw 32 bytes in base64url. */
  readonly publicKey: string;
  readonly policy: UnattendedPolicy | null;
  /** The origin this device signs challenges for. */
  readonly controllerOrigin: string;
  readonly enrolledAt: number;
  readonly revokedAt: number | null;
  readonly lastSeen: number;
  readonly summaryJson: string | null;
}

export interface Enrollment {
  readonly token: string;
  readonly publicKey: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly hostname: string;
  readonly platform: string;
  readonly policy: UnattendedPolicy;
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-managed' | 'not-found';

export class ManagedDevices {
  constructor(private readonly db: Db) {}

  /** Uses the token and stores the device in one transaction: a refused token enrolls nothing. */
  async enroll(enrollment: Enrollment, controllerOrigin: string): Promise<{ device: ManagedDeviceRecord; tokenId: string }> {
    return this.db.transaction().execute(async (tx) => {
      const token = await EnrollmentTokens.use(tx, enrollment.token);
      const taken = await tx.selectFrom('devices').select('id').where('public_key', '=', enrollment.publicKey).executeTakeFirst();
      if (taken) throw new RelaisError('AUTH_ERR_KEY_ALREADY_ENROLLED');
      const now = Date.now();
      const tags = [...new Set(enrollment.tags)];
      const id = newId();
      const row: Insertable<DevicesTable> = {
        id,
        kind: 'managed',
        hostname: enrollment.hostname,
        summary_json: null,
        first_seen: now,
        last_seen: now,
        name: enrollment.name,
        group_name: token.group,
        tags_json: JSON.stringify(tags),
        public_key: enrollment.publicKey,
        policy_json: JSON.stringify(enrollment.policy),
        platform: enrollment.platform,
        controller_origin: controllerOrigin,
        enrollment_token_id: token.id,
        enrolled_at: now,
        revoked_at: null,
        label: sortLabel(enrollment.name, enrollment.hostname),
        search: searchText({ id, name: enrollment.name, hostname: enrollment.hostname, group: token.group, tags, os: null }),
      };
      try {
        await tx.insertInto('devices').values(row).execute();
      } catch (err) {
        // The same key enrolled by a concurrent transaction since the check above (PostgreSQL).
        if (isUniqueViolation(err)) throw new RelaisError('AUTH_ERR_KEY_ALREADY_ENROLLED');
        throw err;
      }
      await writeTags(tx, id, tags);
      const stored = await tx.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return { device: toRecord(stored), tokenId: token.id };
    });
  }

  async byId(id: string): Promise<ManagedDeviceRecord | null> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).where('kind', '=', 'managed').executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** Every managed device, revoked ones included (the list shows them as revoked). */
  async list(): Promise<ManagedDeviceRecord[]> {
    const rows = await this.db.selectFrom('devices').selectAll().where('kind', '=', 'managed').orderBy('last_seen', 'desc').execute();
    return rows.map(toRecord);
  }

  /** What a device says about itself each time it connects (after proving its identity). */
  async reported(id: string, facts: { hostname: string; platform: string; policy: UnattendedPolicy | null }): Promise<ManagedDeviceRecord | null> {
    await this.db
      .updateTable('devices')
      .set({ hostname: facts.hostname, platform: facts.platform, last_seen: Date.now(), ...(facts.policy ? { policy_json: JSON.stringify(facts.policy) } : {}) })
      .where('id', '=', id)
      .where('kind', '=', 'managed')
      .execute();
    return this.byId(id);
  }

  /** Refuses the device's key from now on. */
  async revoke(id: string): Promise<RevokeOutcome> {
    const row = await this.db.selectFrom('devices').select(['kind', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!row) return 'not-found';
    if (row.kind !== 'managed') return 'not-managed';
    if (row.revoked_at !== null) return 'already-revoked';
    await this.db.updateTable('devices').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    return 'revoked';
  }
}

function toRecord(row: Selectable<DevicesTable>): ManagedDeviceRecord {
  const policy = row.policy_json ? unattendedPolicy.safeParse(JSON.parse(row.policy_json)) : null;
  const tags = row.tags_json ? deviceTags.safeParse(JSON.parse(row.tags_json)) : null;
  return {
    id: row.id,
    name: row.name ?? row.hostname,
    group: row.group_name ?? '',
    tags: tags?.success ? tags.data : [],
    hostname: row.hostname,
    platform: row.platform ?? '',
    publicKey: row.public_key ?? '',
    policy: policy?.success ? policy.data : null,
    controllerOrigin: row.controller_origin ?? '',
    enrolledAt: row.enrolled_at ?? row.first_seen,
    revokedAt: row.revoked_at,
    lastSeen: row.last_seen,
    summaryJson: row.summary_json,
  };
}
