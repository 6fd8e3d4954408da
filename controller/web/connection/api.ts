/**
 * The REST API client: JSON in and out, same-origin cookies, and every failure
 * turned into an `ApiError` carrying the catalog's code and words.
 */
import {
  ERRORS, describeError, isErrorCode, type DeviceView, type FactChange, type Finding, type Person, type Severity, type Snapshot,
} from '../../../protocol/index.js';

/** A failed API call, in the catalog's words. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** Wrong passwords tried for your account from one address (null: several others), not yet shown to you. */
export interface FailedLogin {
  address: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface Me {
  user: Person;
  /** Administrators also manage technicians, the fleet and the script library; the UI hides what a technician may not do. */
  role: 'admin' | 'technician';
  organization: string;
  controllerUrl: string;
  version: string;
  failedLogins: FailedLogin[];
}

export interface NewSupportLink {
  id: string;
  code: string;
  codeDisplay: string;
  url: string;
  command: string;
  expiresAt: number;
}

export type SupportLinkStatus = 'waiting' | 'joined' | 'expired';

export interface SupportLinkView {
  id: string;
  createdAt: number;
  expiresAt: number;
  status: SupportLinkStatus;
  technician: Person;
  deviceId: string | null;
}

export interface AuditEntry {
  id: string | number;
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  detail: unknown;
  /** Identical events this entry stands for (repeats coalesced from `at` to `lastAt`). */
  count?: number;
  lastAt?: number | null;
}

/** One stored diagnostics snapshot with the findings the controller's thresholds gave it. */
export interface StoredSnapshot {
  id: number;
  deviceId: string;
  takenAt: number;
  snapshot: Snapshot;
  findings: Finding[];
}

/** A line of a device's diagnostics history. */
export interface SnapshotListing {
  id: number;
  takenAt: number;
  worst: Severity | null;
  findingCount: number;
}

/** Two snapshots compared: what changed, which findings were fixed, appeared or remain. */
export interface SnapshotComparison {
  before: { id: number; takenAt: number };
  after: { id: number; takenAt: number };
  changes: FactChange[];
  fixed: Finding[];
  appeared: Finding[];
  remaining: Finding[];
}

let unauthorizedHandler: () => void = () => {};

/** Registers what happens when any call (other than login) answers 401: the app sends you to login. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

/** One JSON call to the controller's REST API; failures become an `ApiError` in the catalog's words. */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('NETWORK', 0, 'The controller cannot be reached. Check your network connection and try again.');
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  const error = await readError(response);
  if (response.status === 401 && path !== '/api/login') unauthorizedHandler();
  throw error;
}

async function readError(response: Response): Promise<ApiError> {
  let code = 'HTTP_ERR_INTERNAL';
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
  } catch {
    // Not our JSON (a proxy's error page, say): fall back on the status.
    if (response.status === 401) code = 'AUTH_ERR_NO_SESSION';
    else if (response.status === 404) code = 'HTTP_ERR_NOT_FOUND';
  }
  // People read the catalog's words, never a server's free text.
  const message = isErrorCode(code) ? ERRORS[code].message : describeError('HTTP_ERR_INTERNAL');
  return new ApiError(code, response.status, message);
}

const devicePath = (deviceId: string) => `/api/devices/${encodeURIComponent(deviceId)}`;

export const api = {
  /** Logs in; sets the session cookie. */
  login: (username: string, password: string) => request<{ user: Person }>('POST', '/api/login', { username, password }),
  logout: () => request<void>('POST', '/api/logout'),
  me: () => request<Me>('GET', '/api/me'),
  acknowledgeFailedLogins: () => request<void>('DELETE', '/api/me/failed-logins'),
  createSupportLink: () => request<NewSupportLink>('POST', '/api/support-links'),
  supportLinks: () => request<{ links: SupportLinkView[] }>('GET', '/api/support-links'),
  devices: () => request<{ devices: DeviceView[] }>('GET', '/api/devices'),
  endSession: (deviceId: string) => request<void>('POST', `${devicePath(deviceId)}/end-session`),
  latestSnapshot: (deviceId: string) => request<{ snapshot: StoredSnapshot | null }>('GET', `${devicePath(deviceId)}/snapshots/latest`),
  snapshots: (deviceId: string, limit = 50) => request<{ snapshots: SnapshotListing[] }>('GET', `${devicePath(deviceId)}/snapshots?limit=${limit}`),
  compare: (deviceId: string, before: number, after: number) =>
    request<SnapshotComparison>('GET', `${devicePath(deviceId)}/compare?before=${before}&after=${after}`),
  audit: (limit = 200) => request<{ entries: AuditEntry[] }>('GET', `/api/audit?limit=${limit}`),
};
