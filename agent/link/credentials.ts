/**
 * How the link proves who it is, one kind per way of joining: an attended agent
 * with its support code, then the session's resume token; a managed device with
 * its Ed25519 key, by signing the controller's challenge. Each kind also says
 * which refusals are final (stop) and which are worth another try.
 */
import { sign, type KeyObject } from 'node:crypto';
import {
  CLOSE_CODES, deviceAuthMessage, isErrorCode, type AgentToController, type ControllerToAgent, type ErrorCode,
} from '../../protocol/index.js';
import { fatalCodeForClose, isFatalCode } from './fatal-errors.js';

type HelloAuth = Extract<AgentToController, { t: 'hello' }>['auth'];
type Welcome = Extract<ControllerToAgent, { t: 'welcome' }>;

export interface LinkCredentials {
  /** The `auth` of the next hello. */
  helloAuth(): HelloAuth;
  /** The signature answering a challenge; null when these credentials never answer one. */
  answerChallenge(nonce: string): string | null;
  /** Takes what the welcome grants; returns why it does not fit these credentials, or null. */
  accept(welcome: Welcome): string | null;
  /** True when a refusal with this code must end the agent rather than start another attempt. */
  isFatal(code: ErrorCode): boolean;
  /** The final error a close stands for, or null to reconnect. */
  fatalForClose(code: number, reason: string): ErrorCode | null;
}

/** Attended: the support code once, then the resume token of the session it opened. */
export class SupportCodeCredentials implements LinkCredentials {
  private resumeToken: string | null = null;

  /** `problem`: the person's one line about what is wrong, sent with the code (never with a resume). */
  constructor(private readonly code: string, private readonly problem: string | null = null) {}

  helloAuth(): HelloAuth {
    if (this.resumeToken) return { kind: 'resume', token: this.resumeToken };
    return this.problem ? { kind: 'code', code: this.code, problem: this.problem } : { kind: 'code', code: this.code };
  }

  answerChallenge(): null {
    return null;
  }

  accept(welcome: Welcome): string | null {
    if (welcome.resumeToken === null || welcome.technician === null || welcome.sessionId === null) {
      return 'a support session needs a session, a technician and a resume token'; // i18n-ignore: protocol detail for the controller's log
    }
    this.resumeToken = welcome.resumeToken;
    return null;
  }

  isFatal(code: ErrorCode): boolean {
    return isFatalCode(code);
  }

  fatalForClose(code: number, reason: string): ErrorCode | null {
    return fatalCodeForClose(code, reason, this.resumeToken !== null);
  }
}

/**
 * Refusals a managed device stops for: retrying cannot help until someone acts
 * (re-enrolls it, un-revokes it, or stops the second copy of it). Everything else
 * (throttled, a late answer, a controller restarting or upgrading) is retried.
 */
const DEVICE_FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['AUTH_ERR_UNKNOWN_DEVICE', 'AUTH_ERR_DEVICE_REVOKED', 'AUTH_ERR_BAD_SIGNATURE', 'SESSION_ERR_REPLACED']);

/** Managed: the device id in the hello, and an Ed25519 signature of each challenge. */
export class DeviceKeyCredentials implements LinkCredentials {
  constructor(
    private readonly deviceId: string,
    /** The controller origin recorded at enrollment: what the signed message names. */
    private readonly controllerOrigin: string,
    private readonly privateKey: KeyObject,
  ) {}

  helloAuth(): HelloAuth {
    return { kind: 'device', deviceId: this.deviceId };
  }

  answerChallenge(nonce: string): string {
    const message = Buffer.from(deviceAuthMessage(this.controllerOrigin, this.deviceId, nonce), 'utf8');
    return sign(null, message, this.privateKey).toString('base64url');
  }

  accept(welcome: Welcome): string | null {
    return welcome.deviceId === this.deviceId ? null : 'the welcome names another device'; // i18n-ignore: protocol detail for the controller's log
  }

  isFatal(code: ErrorCode): boolean {
    return DEVICE_FATAL.has(code);
  }

  fatalForClose(code: number, reason: string): ErrorCode | null {
    if (isErrorCode(reason)) return DEVICE_FATAL.has(reason) ? reason : null;
    return code === CLOSE_CODES.forbidden ? 'AUTH_ERR_DEVICE_REVOKED' : null;
  }
}
