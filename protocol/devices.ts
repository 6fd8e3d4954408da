/**
 * Devices as technicians see them: the full view of one device, the bounded row a
 * list page or a live `device.update` carries, and the paged, filtered device list
 * (`GET /api/devices`) with its facets. No answer or message grows with the fleet:
 * lists are pages behind a cursor, rows leave out the unbounded parts of a summary.
 */
import { z } from 'zod';
import { SEVERITIES } from './findings.js';
import { deviceName, deviceTag, deviceTags, groupName, unattendedPolicy } from './fleet.js';
import { deviceSummary, id, person, text, timestamp, type DeviceSummary } from './fields.js';

/** Findings one snapshot may carry (the health checks return far fewer). */
export const MAX_FINDINGS = 200;

export const deviceView = z.object({
  id,
  sessionId: id.nullable(),
  hostname: text(255),
  online: z.boolean(),
  lastSeen: timestamp,
  connectedAt: timestamp.nullable(),
  technician: person.nullable(),
  sessionStatus: z.enum(['active', 'ended']),
  summary: deviceSummary.nullable(),
  /** The worst finding of the latest diagnostics, null when none or not yet collected. */
  worstSeverity: z.enum(SEVERITIES).nullable().optional(),
  findingCount: z.number().int().min(0).optional(),
  /** Fleet fields (absent on older controllers): an attended support session, or an enrolled managed device. */
  kind: z.enum(['attended', 'managed']).optional(),
  /** A managed device's name, group and tags, chosen at enrollment. */
  name: deviceName.optional(),
  group: groupName.optional(),
  tags: deviceTags.optional(),
  /** The unattended policy the device last reported; null when it has not reported one. */
  policy: unattendedPolicy.nullable().optional(),
  /** True once an administrator revoked the device: its key is refused. */
  revoked: z.boolean().optional(),
  /** The person's one line about their problem (an attended session; PROBLEM_MAX_CHARS in messages.ts), so lists tell sessions apart. */
  problem: text(300).optional(),
});
export type DeviceView = z.infer<typeof deviceView>;

/** What a list row shows of a summary: its fixed-size parts (no disks, no address list). */
export const deviceBrief = z.object({
  user: text(128),
  os: deviceSummary.shape.os,
  /** The address a technician would try first (see primaryAddress). */
  address: text(64).nullable(),
  agentVersion: text(32),
});
export type DeviceBrief = z.infer<typeof deviceBrief>;

/** One row of the device list and of `device.update`: the view without the summary's lists, so its size is bounded. */
export const deviceListItem = deviceView.omit({ summary: true }).extend({ brief: deviceBrief.nullable() });
export type DeviceListItem = z.infer<typeof deviceListItem>;

/** The first routable-looking IPv4 address a summary reports, else any address. */
export function primaryAddress(summary: DeviceSummary | null): string | null {
  if (!summary || summary.addresses.length === 0) return null;
  const notLoopback = summary.addresses.filter((a) => !a.address.startsWith('127.') && a.address !== '::1');
  const ipv4 = notLoopback.find((a) => a.family === 'IPv4');
  return (ipv4 ?? notLoopback[0] ?? summary.addresses[0])?.address ?? null;
}

/** The bounded part of a summary that list rows carry. */
export function briefOf(summary: DeviceSummary | null): DeviceBrief | null {
  if (!summary) return null;
  return { user: summary.user, os: { ...summary.os }, address: primaryAddress(summary), agentVersion: summary.agentVersion };
}

/** A full view as a list row. */
export function listItemOf(view: DeviceView): DeviceListItem {
  const { summary, ...rest } = view;
  return { ...rest, brief: briefOf(summary) };
}

// ---- GET /api/devices -------------------------------------------------------

export const DEVICE_PAGE = Object.freeze({ defaultLimit: 50, maxLimit: 200 });
/** Facet values (groups, tags) one answer lists at most; `truncated` says when there are more. */
export const MAX_FACET_VALUES = 500;

/** An opaque keyset cursor (the server's encoding); stable while devices change between pages. */
export const pageCursor = z.string().min(1).max(700).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor from a previous page');
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const DEVICE_HEALTH_FILTERS = ['issues', 'critical', 'healthy', 'unchecked'] as const;
export const DEVICE_SORTS = ['name', 'recent'] as const;

/**
 * The device list's query string. `q` matches name, host name, group, tags and OS
 * (case-insensitive, every word); `sort=name` (default) orders by display name,
 * `recent` by last seen, newest first. Unknown parameters are refused.
 */
export const deviceQuery = z
  .object({
    cursor: pageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(DEVICE_PAGE.maxLimit).default(DEVICE_PAGE.defaultLimit),
    kind: z.enum(['attended', 'managed']).optional(),
    online: flag.optional(),
    revoked: flag.optional(),
    session: z.enum(['active', 'ended']).optional(),
    health: z.enum(DEVICE_HEALTH_FILTERS).optional(),
    group: groupName.optional(),
    tag: deviceTag.optional(),
    q: text(128).optional(),
    sort: z.enum(DEVICE_SORTS).default('name'),
  })
  .strict();
export type DeviceQuery = z.output<typeof deviceQuery>;
/** What a client puts in the query string (every value a string, as in a URL). */
export type DeviceQueryInput = { [K in keyof z.input<typeof deviceQuery>]?: string };

export const devicePage = z.object({
  devices: z.array(deviceListItem).max(DEVICE_PAGE.maxLimit),
  /** Pass it back as `cursor` for the next page; null on the last one. */
  nextCursor: pageCursor.nullable(),
  /** Devices matching the filters (all pages), and how many of them are online. */
  total: z.number().int().min(0),
  online: z.number().int().min(0),
});
export type DevicePage = z.infer<typeof devicePage>;

const facetValue = z.object({ value: text(64), count: z.number().int().min(0) });
/** `GET /api/devices/facets`: the groups and tags in use (with how many devices carry each), for filter menus. */
export const deviceFacets = z.object({
  groups: z.array(facetValue).max(MAX_FACET_VALUES),
  tags: z.array(facetValue).max(MAX_FACET_VALUES),
  /** True when there were more values than an answer lists. */
  truncated: z.boolean(),
});
export type DeviceFacets = z.infer<typeof deviceFacets>;

/** Builds `/api/devices?...` from a query, leaving out empty values. */
export function deviceListPath(query: DeviceQueryInput): string {
  const search = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value as string)}`)
    .join('&');
  return search ? `/api/devices?${search}` : '/api/devices';
}
