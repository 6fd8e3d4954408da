/**
 * The REST API client: JSON in and out, same-origin cookies, every answer validated
 * against the contract's schema for its route (protocol/rest-answers.ts) before a
 * page sees it, and every failure turned into an `ApiError` carrying the catalog's
 * code and words.
 */
import type { z } from 'zod';
import { deviceListPath, errorWords, isErrorCode, restAnswers, type DeviceQueryInput, type ErrorCode, type Language } from '../../../protocol/index.js';
import { language, wordsOf } from '../app/language.js';
import { connectionCatalog } from './connection-catalog.js';

const t = wordsOf(connectionCatalog);

/** A failed API call, in the catalog's words. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** The refusal's JSON as the controller sent it (a version conflict carries the current ticket); never shown as is. */
  readonly body: unknown;
  constructor(code: string, status: number, message: string, body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.body = body;
  }
}

// The answers' shapes are the contract's (protocol/rest-answers.ts), under the names the pages use.
export type {
  AuditEntryView as AuditEntry, FailedLogin, Me, NewSupportLink, SnapshotComparisonAnswer as SnapshotComparison, SnapshotListing, StoredSnapshot,
  SupportLinkStatus, SupportLinkView,
} from '../../../protocol/index.js';

let unauthorizedHandler: () => void = () => {};

/** Registers what happens when any call (other than login) answers 401: the app sends you to login. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One JSON call to the controller's REST API, its answer checked against `answer`; failures become an `ApiError` in the catalog's words. */
export async function request<S extends z.ZodType>(method: Method, path: string, answer: S, body?: unknown): Promise<z.infer<S>> {
  const response = await call(method, path, body);
  let value: unknown;
  try {
    value = await response.json();
  } catch {
    throw apiError('HTTP_ERR_BAD_ANSWER', response.status);
  }
  const parsed = answer.safeParse(value);
  if (!parsed.success) {
    console.warn(`relais: ${method} ${path} answered something else than its schema:` /* i18n-ignore: developer console */, parsed.error.issues[0]);
    throw apiError('HTTP_ERR_BAD_ANSWER', response.status);
  }
  return parsed.data;
}

/** A call whose answer is 204 No Content. */
export async function send(method: Method, path: string, body?: unknown): Promise<void> {
  const response = await call(method, path, body);
  if (response.status !== 204) await response.body?.cancel();
}

/** The HTTP exchange; a refusal (non-2xx) becomes an ApiError, and a 401 sends the app to login. */
async function call(method: Method, path: string, body: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('NETWORK', 0, t('unreachable'));
  }
  if (response.ok) return response;
  const error = await readError(response);
  if (response.status === 401 && path !== '/api/login') unauthorizedHandler();
  throw error;
}

function apiError(code: ErrorCode, status: number): ApiError {
  return new ApiError(code, status, errorWords(code, language()));
}

async function readError(response: Response): Promise<ApiError> {
  let code = 'HTTP_ERR_INTERNAL';
  let body: unknown;
  try {
    body = await response.json();
    const refusal = restAnswers.error.safeParse(body);
    if (refusal.success) code = refusal.data.error.code;
  } catch {
    // Not our JSON (a proxy's error page, say): fall back on the status.
    if (response.status === 401) code = 'AUTH_ERR_NO_SESSION';
    else if (response.status === 404) code = 'HTTP_ERR_NOT_FOUND';
  }
  // People read the catalog's words, never a server's free text.
  const message = errorWords(isErrorCode(code) ? code : 'HTTP_ERR_INTERNAL', language());
  return new ApiError(code, response.status, message, body);
}

const devicePath = (deviceId: string) => `/api/devices/${encodeURIComponent(deviceId)}`;

const R = restAnswers;

export const api = {
  /** Logs in; sets the session cookie. */
  login: (username: string, password: string) => request('POST', '/api/login', R.login, { username, password }),
  logout: () => send('POST', '/api/logout'),
  me: () => request('GET', '/api/me', R.me),
  /** Chooses the language the UI speaks to this account (null: the browser's, then the controller's). */
  setLanguage: (choice: Language | null) => request('PUT', '/api/me/language', R.meLanguage, { language: choice }),
  acknowledgeFailedLogins: () => send('DELETE', '/api/me/failed-logins'),
  /** A support link; with `ticketNumber`, it is recorded on that ticket. */
  createSupportLink: (ticketNumber?: number) =>
    request('POST', '/api/support-links', R.supportLinkCreated, ticketNumber === undefined ? undefined : { ticketNumber }),
  supportLinks: () => request('GET', '/api/support-links', R.supportLinks),
  /** One page of the device list (filters and cursor in the query). */
  devices: (query: DeviceQueryInput) => request('GET', deviceListPath(query), R.devices),
  deviceFacets: () => request('GET', '/api/devices/facets', R.deviceFacets),
  device: (deviceId: string) => request('GET', devicePath(deviceId), R.device),
  snapshot: (deviceId: string, snapshotId: number) => request('GET', `${devicePath(deviceId)}/snapshots/${snapshotId}`, R.snapshot),
  endSession: (deviceId: string) => send('POST', `${devicePath(deviceId)}/end-session`),
  latestSnapshot: (deviceId: string) => request('GET', `${devicePath(deviceId)}/snapshots/latest`, R.latestSnapshot),
  snapshots: (deviceId: string, limit = 50) => request('GET', `${devicePath(deviceId)}/snapshots?limit=${limit}`, R.snapshots),
  compare: (deviceId: string, before: number, after: number) =>
    request('GET', `${devicePath(deviceId)}/compare?before=${before}&after=${after}`, R.comparison),
  /** A page of the audit log; `query` holds the filters and paging as the URL carries them (see auditQuery). */
  audit: (query: Record<string, string> = { limit: '200' }) => request('GET', `/api/audit?${new URLSearchParams(query)}`, R.audit),
};
