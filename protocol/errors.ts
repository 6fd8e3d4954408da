/**
 * The catalog of every error Relais can report, declared once. Agent, controller
 * and browser show the same words for the same failure. `close` is the websocket
 * close code used when the error ends a connection (null: the socket stays open).
 * The README's table of codes is checked against this catalog by a test.
 */
import { FILE_ERRORS } from './file-errors.js';

export const CLOSE_CODES = Object.freeze({
  protocolViolation: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  heartbeatTimeout: 4408,
  versionMismatch: 4409,
  sessionEnded: 4410,
  throttled: 4429,
  replaced: 4412,
  /** Not fatal: the agent backs off and tries again. */
  resumeThrottled: 4430,
  serverShutdown: 4503,
  /** Not fatal: the controller could not take the connection now (its database was busy); the agent backs off and tries again. */
  serverBusy: 4504,
});

interface ErrorSpec {
  readonly message: string;
  /** HTTP status when raised by a route. */
  readonly status: number;
  /** Websocket close code when raised on a socket and it ends the connection; null keeps it open. */
  readonly close: number | null;
}

const C = CLOSE_CODES;

export const ERRORS = Object.freeze({
  PROTO_ERR_BAD_JSON: { message: 'The message is not valid JSON.', status: 400, close: null },
  PROTO_ERR_INVALID_MESSAGE: { message: 'The message does not match its schema.', status: 400, close: null },
  PROTO_ERR_UNKNOWN_TYPE: { message: 'The message type is unknown.', status: 400, close: null },
  PROTO_ERR_MESSAGE_TOO_LARGE: { message: 'The message is larger than the protocol allows.', status: 413, close: 1009 },
  PROTO_ERR_BAD_FRAME: { message: 'The binary frame is malformed.', status: 400, close: null },
  PROTO_ERR_UNKNOWN_CHANNEL: { message: 'No open channel has that number.', status: 404, close: null },
  PROTO_ERR_CREDIT_EXCEEDED: { message: 'More bytes were sent on the channel than its receiver allowed (its window and acknowledgements); the channel is closed.', status: 400, close: null },
  PROTO_ERR_CHANNEL_IN_USE: { message: 'That channel number is already in use.', status: 409, close: null },
  PROTO_ERR_TOO_MANY_CHANNELS: { message: 'Too many channels are open on this connection.', status: 429, close: null },
  PROTO_ERR_HELLO_REQUIRED: { message: 'The first message must be a valid hello.', status: 400, close: C.protocolViolation },
  PROTO_ERR_TOO_MANY_VIOLATIONS: { message: 'Too many invalid messages; the connection is closed.', status: 400, close: C.protocolViolation },
  PROTO_ERR_VERSION_MISMATCH: { message: 'The two sides speak different protocol versions.', status: 400, close: C.versionMismatch },
  PROTO_ERR_HANDLER_FAILED: { message: 'Handling a message failed on the receiving side; the error was logged and this connection closed. Connect again.', status: 500, close: 1011 },
  PROTO_ERR_TOO_SLOW: { message: 'The peer stopped reading what was sent to it; the connection was closed. Connect again.', status: 408, close: C.heartbeatTimeout },
  PROTO_ERR_HEARTBEAT_TIMEOUT: { message: 'The peer stopped answering heartbeats.', status: 408, close: C.heartbeatTimeout },
  AUTH_ERR_BAD_CREDENTIALS: { message: 'Wrong username or password.', status: 401, close: null },
  AUTH_ERR_THROTTLED: { message: 'Too many failed attempts. Wait a few minutes and try again.', status: 429, close: C.throttled },
  AUTH_ERR_NO_SESSION: { message: 'You are not logged in, or your session has expired. Log in again.', status: 401, close: C.unauthenticated },
  AUTH_ERR_BAD_ORIGIN: { message: 'This request comes from another site and was refused.', status: 403, close: C.forbidden },
  AUTH_ERR_BAD_CODE: { message: 'This support code is not valid. Check the digits or ask your technician for a new link.', status: 404, close: C.unauthenticated },
  AUTH_ERR_CODE_EXPIRED: { message: 'This support code has expired. Ask your technician for a new link.', status: 410, close: C.unauthenticated },
  AUTH_ERR_CODE_USED: { message: 'This support code was already used. Ask your technician for a new link.', status: 410, close: C.unauthenticated },
  AUTH_ERR_BAD_RESUME: { message: 'This support session has ended or cannot be resumed.', status: 401, close: C.unauthenticated },
  AUTH_ERR_FORBIDDEN: { message: 'You are not allowed to do this.', status: 403, close: null },
  AUTH_ERR_BAD_ENROLLMENT_TOKEN: { message: 'This enrollment token is not valid. Check it, or ask your fleet administrator for a new one.', status: 401, close: null },
  AUTH_ERR_ENROLLMENT_TOKEN_EXPIRED: { message: 'This enrollment token has expired. Ask your fleet administrator for a new one.', status: 410, close: null },
  AUTH_ERR_ENROLLMENT_TOKEN_USED_UP: { message: 'This enrollment token has already enrolled as many devices as it allows. Ask your fleet administrator for a new one.', status: 410, close: null },
  AUTH_ERR_ENROLLMENT_TOKEN_REVOKED: { message: 'This enrollment token was revoked. Ask your fleet administrator for a new one.', status: 410, close: null },
  AUTH_ERR_KEY_ALREADY_ENROLLED: { message: 'This device key is already enrolled. Enroll with a new key (a fresh state folder).', status: 409, close: null },
  AUTH_ERR_UNKNOWN_DEVICE: { message: 'This device is not enrolled with this controller. Enroll it again with a new token.', status: 401, close: C.unauthenticated },
  AUTH_ERR_DEVICE_REVOKED: { message: 'This device was revoked by an administrator and may not connect. Enroll it again with a new token if it should come back.', status: 403, close: C.forbidden },
  AUTH_ERR_BAD_SIGNATURE: { message: 'The device could not prove its identity: its signature did not verify. If the agent was reinstalled, enroll it again.', status: 401, close: C.unauthenticated },
  AUTH_ERR_CHALLENGE_EXPIRED: { message: 'The device did not answer the authentication challenge in time. It will try again.', status: 401, close: C.unauthenticated },
  SHELL_ERR_DEVICE_OFFLINE: { message: 'The device is offline.', status: 409, close: null },
  SHELL_ERR_DECLINED: { message: 'The shell was declined by the user.', status: 403, close: null },
  SHELL_ERR_NO_ANSWER: { message: 'The user did not answer in time; no shell was opened.', status: 408, close: null },
  SHELL_ERR_REFUSED_BY_POLICY: { message: "Refused by policy: this device's local policy does not allow it without a person at the machine to say yes.", status: 403, close: null },
  SHELL_ERR_SPAWN_FAILED: { message: 'The shell could not be started on the device.', status: 500, close: null },
  SHELL_ERR_READ_ONLY: { message: 'You are watching this shell: what you type is not sent. Ask for the keyboard to type in it.', status: 403, close: null },
  SHELL_ERR_TAKEOVER_PENDING: { message: 'The person is already being asked to hand over the keyboard of this shell. Wait for their answer.', status: 409, close: null },
  SHELL_ERR_TOO_MANY_OBSERVERS: { message: 'This shell already has as many technicians watching as it allows. Try again when one of them leaves.', status: 429, close: null },
  CHAT_ERR_NO_SESSION: { message: 'Chat needs a support session with a person at this device; enrolled devices joined without one have no chat.', status: 409, close: null },
  CHAT_ERR_INVALID_TEXT: { message: 'A chat message is one line of plain text, from 1 to 2,000 characters.', status: 400, close: null },
  CHAT_ERR_TOO_FAST: { message: 'Messages are coming too fast: wait a moment, then send this one again.', status: 429, close: null },
  TICKET_ERR_NOT_FOUND: { message: 'No ticket has that number; it may have been deleted. Reload the queue.', status: 404, close: null },
  TICKET_ERR_BAD_TRANSITION: { message: 'This ticket cannot go there from its current status. Reload it to see where it stands.', status: 409, close: null },
  TICKET_ERR_VERSION_CONFLICT: { message: 'Someone else changed this ticket since you opened it. Reload it to see what changed, then try again.', status: 409, close: null },
  TICKET_ERR_FORBIDDEN_ACTION: { message: 'Your role may not do this on this ticket. An escalated ticket is handled by level 2 technicians and administrators.', status: 403, close: null },
  TICKET_ERR_REASON_REQUIRED: { message: 'A reason is required: say why in a few words.', status: 400, close: null },
  TICKET_ERR_RESOLUTION_REQUIRED: { message: 'A resolution is required: describe what solved the problem and choose a solution type.', status: 400, close: null },
  TICKET_ERR_INVALID_FIELD: { message: 'A ticket field is missing or not valid. Check the field named in the message.', status: 400, close: null },
  KB_ERR_NOT_FOUND: { message: 'No article has that id, or no version has that number; it may have been deleted. Search the knowledge base again.', status: 404, close: null },
  KB_ERR_INVALID_FIELD: { message: 'An article field is missing or not valid. Check the field named in the message; nothing was saved.', status: 400, close: null },
  KB_ERR_VERSION_CONFLICT: { message: 'Someone else saved this article since you opened it. Your text is still in the form: open their version in another tab, then save yours again.', status: 409, close: null },
  KB_ERR_NO_SCRIPT: { message: 'This article names no script to run. Follow its steps by hand, or edit it to choose a script from the library.', status: 409, close: null },
  KB_ERR_TICKET_NOT_RESOLVED: { message: 'Only a resolved or closed ticket can be documented. Resolve it first, saying what fixed the problem.', status: 409, close: null },
  RECORDING_ERR_INVALID: { message: 'This recording is damaged or is not an asciicast v2 file; it cannot be played.', status: 422, close: null },
  SURVEY_ERR_NOT_FOUND: { message: 'This satisfaction link is not valid. Check that it was copied whole, or ask your technician for a new one.', status: 404, close: null },
  SURVEY_ERR_USED: { message: 'This satisfaction survey was already answered. Thank you; nothing more is needed.', status: 410, close: null },
  SURVEY_ERR_EXPIRED: { message: 'This satisfaction survey has expired. If the problem is back, contact your helpdesk.', status: 410, close: null },
  SURVEY_ERR_THROTTLED: { message: 'Too many attempts from your address. Wait a few minutes and try again.', status: 429, close: null },
  SURVEY_ERR_INVALID_FIELD: { message: 'The answer is not valid: choose a rating from 1 to 5 or "not solved", with a comment of at most 1,000 characters on one line.', status: 400, close: null },
  SURVEY_ERR_NOT_RESOLVED: { message: 'This ticket is not resolved, so it has no satisfaction survey. Resolve it first.', status: 409, close: null },
  REPORT_ERR_INVALID_FIELD: { message: 'A report filter is not valid. Give dates as YYYY-MM-DD, from before to, at most 400 days apart, and a technician by account id.', status: 400, close: null },
  AUTH_ERR_BAD_API_TOKEN: { message: 'This API token is not valid or was deleted. Create a new one in the web UI (API tokens).', status: 401, close: null },
  METRICS_ERR_BAD_TOKEN: { message: 'The metrics token is missing or wrong. Send the one the controller was started with (--metrics-token) as Authorization: Bearer <token>.', status: 401, close: null },
  SCRIPT_ERR_NOT_FOUND: { message: 'No script with that id or name is in the library. List them with GET /api/scripts.', status: 404, close: null },
  SCRIPT_ERR_NAME_TAKEN: { message: 'Another script already has that name. Choose another name.', status: 409, close: null },
  SCRIPT_ERR_BUILT_IN: { message: 'Built-in scripts cannot be deleted. Copy one under a new name to change it.', status: 409, close: null },
  JOB_ERR_NO_DEVICES: { message: 'No enrolled device matches this target. Check the device ids, tag or group.', status: 400, close: null },
  JOB_ERR_NOT_FOUND: { message: 'No job has that id.', status: 404, close: null },
  JOB_ERR_NOT_MANAGED: { message: 'This agent joined through a support link; fleet jobs run only on enrolled (managed) devices.', status: 409, close: null },
  USER_ERR_BAD_USERNAME: { message: 'A username has 3 to 32 characters: lowercase letters, digits, dot, underscore or hyphen (e.g. sam.lee).', status: 400, close: null },
  USER_ERR_WEAK_PASSWORD: { message: 'A password needs at least 12 characters. A few unrelated words make a strong one that is easy to type.', status: 400, close: null },
  USER_ERR_USERNAME_TAKEN: { message: 'That username belongs to another account (or to one that was removed). Choose another username.', status: 409, close: null },
  USER_ERR_NOT_FOUND: { message: 'No account has that id; it may have been removed. Reload the list of technicians.', status: 404, close: null },
  USER_ERR_LAST_ADMIN: { message: 'This is the last administrator. Make another account an administrator first.', status: 409, close: null },
  USER_ERR_WRONG_PASSWORD: { message: 'Your current password is not right. Type it again; nothing was changed.', status: 403, close: null },
  SESSION_ERR_ENDED: { message: 'The support session has ended.', status: 410, close: C.sessionEnded },
  SESSION_ERR_REPLACED: { message: 'Another connection took over this support session.', status: 409, close: C.replaced },
  SESSION_ERR_RESUME_THROTTLED: { message: 'Too many reconnections to this support session in a short time. The agent tries again by itself in a moment.', status: 429, close: C.resumeThrottled },
  LINK_ERR_TOO_MANY_WAITING: { message: 'You have too many support links waiting for someone to join. Use one of them, or wait until they expire, then create a new one.', status: 429, close: null },
  HTTP_ERR_BAD_REQUEST: { message: 'The request is malformed.', status: 400, close: null },
  HTTP_ERR_NOT_FOUND: { message: 'Not found.', status: 404, close: null },
  HTTP_ERR_UNKNOWN_HOST: { message: 'This controller does not answer to that host name. Use its own address, or ask its operator to add the name with --allowed-host.', status: 421, close: null },
  HTTP_ERR_BAD_ANSWER: { message: 'The controller sent an answer this page does not understand. Reload the page; if it happens again, the controller may run another version.', status: 502, close: null },
  HTTP_ERR_INTERNAL: { message: 'Something went wrong on the controller. The error was logged.', status: 500, close: null },
  SERVER_ERR_SHUTDOWN: { message: 'The controller is shutting down.', status: 503, close: C.serverShutdown },
  DIAG_ERR_BUSY: { message: 'This device is already collecting diagnostics for many requests; the result will show here. Ask again in a moment.', status: 429, close: null },
  SERVER_ERR_BUSY: { message: 'The controller is too busy to take this connection now. The agent tries again by itself in a moment.', status: 503, close: C.serverBusy },
  // ---- file transfers (file-errors.ts) ----
  ...FILE_ERRORS,
} satisfies Record<string, ErrorSpec>);

export type ErrorCode = keyof typeof ERRORS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}

/** A catalogued error, thrown by name. `detail` adds context that is never a secret. */
export class RelaisError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly close: number | null;
  /** Context added to the catalog message, if any. */
  readonly detail: string | undefined;
  constructor(code: ErrorCode, detail?: string) {
    const spec: ErrorSpec = ERRORS[code];
    super(detail ? `${spec.message} ${detail}` : spec.message);
    this.name = 'RelaisError';
    this.code = code;
    this.detail = detail;
    this.status = spec.status;
    this.close = spec.close;
  }
}

/** The people-facing words for an error code (falls back to the code when it is not ours). */
export function describeError(code: string): string {
  return isErrorCode(code) ? ERRORS[code].message : code;
}
