/**
 * Which refusals end the agent instead of starting a reconnect loop: the
 * controller said, in words or in a close code, that retrying cannot help.
 */
import { CLOSE_CODES, isErrorCode, type ErrorCode } from '../../protocol/index.js';

const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROTO_ERR_VERSION_MISMATCH',
  'SESSION_ERR_ENDED',
  // Someone else now holds this session; fighting over it would help nobody.
  'SESSION_ERR_REPLACED',
]);

/** True for errors after which the agent must print the message and exit. */
export function isFatalCode(code: ErrorCode): boolean {
  return code.startsWith('AUTH_ERR_') || FATAL_CODES.has(code);
}

/** The error a close code stands for when it is fatal; null when reconnecting makes sense. */
export function fatalCodeForClose(code: number, reason: string, resuming: boolean): ErrorCode | null {
  // A controller may put the error code in the close reason; trust it only when it is fatal anyway.
  if (isErrorCode(reason) && isFatalCode(reason)) return reason;
  switch (code) {
    case CLOSE_CODES.unauthenticated:
      return resuming ? 'AUTH_ERR_BAD_RESUME' : 'AUTH_ERR_BAD_CODE';
    case CLOSE_CODES.forbidden:
      return 'AUTH_ERR_FORBIDDEN';
    case CLOSE_CODES.versionMismatch:
      return 'PROTO_ERR_VERSION_MISMATCH';
    case CLOSE_CODES.sessionEnded:
      return 'SESSION_ERR_ENDED';
    case CLOSE_CODES.throttled:
      return 'AUTH_ERR_THROTTLED';
    case CLOSE_CODES.replaced:
      return 'SESSION_ERR_REPLACED';
    default:
      return null;
  }
}
