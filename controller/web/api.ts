/**
 * The REST API client: JSON in and out, same-origin cookies, and every failure
 * turned into an `ApiError` carrying the catalog's code and words.
 */
import { ERRORS, describeError, isErrorCode, type DeviceView, type Person } from '../../protocol/index.js';

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

export interface Me {
  user: Person;
  organization: string;
  controllerUrl: string;
  version: string;
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
}

let unauthorizedHandler: () => void = () => {};

/** Registers what happens when any call (other than login) answers 401: the app sends you to login. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
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

export const api = {
  /** Logs in; sets the session cookie. */
  login: (username: string, password: string) => request<{ user: Person }>('POST', '/api/login', { username, password }),
  logout: () => request<void>('POST', '/api/logout'),
  me: () => request<Me>('GET', '/api/me'),
  createSupportLink: () => request<NewSupportLink>('POST', '/api/support-links'),
  supportLinks: () => request<{ links: SupportLinkView[] }>('GET', '/api/support-links'),
  devices: () => request<{ devices: DeviceView[] }>('GET', '/api/devices'),
  endSession: (deviceId: string) => request<void>('POST', `/api/devices/${encodeURIComponent(deviceId)}/end-session`),
  audit: (limit = 200) => request<{ entries: AuditEntry[] }>('GET', `/api/audit?limit=${limit}`),
};
