/**
 * Files, with the person's consent: a file sent to the person's machine (`send`)
 * or fetched from it (`fetch`). The technician's browser talks HTTP to the
 * controller (an upload, a download); between the controller and the agent the
 * bytes travel as a shell's do — DATA frames on a channel, metered by the reader's
 * credit (ACK frames, protocol/credit.ts) — on channels numbered from
 * FILE_CHANNEL_BASE, apart from shells, so either side routes a frame by its number
 * alone. The control messages are declared here and joined to the unions of
 * messages.ts. SHA-256 is computed by both ends of the agent's leg and compared.
 */
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from './errors.js';
import { FILE_ERROR_CODES } from './file-errors.js';
import { channelId, consentDecision, id, person, text, timestamp } from './fields.js';
import { sanitizeText } from './text.js';

/** File channels are numbered from here; shells count up from 1, an agent's own job questions use 0xf0000000 and above. */
export const FILE_CHANNEL_BASE = 0x8000_0000;
export const FILE_CHANNEL_END = 0xf000_0000;

/** True for a channel that carries a file (routes a frame without a lookup). */
export function isFileChannel(channel: number): boolean {
  return channel >= FILE_CHANNEL_BASE && channel < FILE_CHANNEL_END;
}

export const FILE_LIMITS = Object.freeze({
  /** Largest file sent or fetched unless the controller (--file-max-bytes) or the agent (RELAIS_FILE_MAX_BYTES) says less. */
  defaultMaxBytes: 2 * 1024 * 1024 * 1024,
  /** The largest limit either side may be given: 1 TiB. */
  maxBytes: 1024 * 1024 * 1024 * 1024,
  /**
   * Bytes the writer may send before the reader acknowledges: larger than a shell's (a file
   * streams, nobody types), so a busy machine's scheduling delays do not stall the stream.
   */
  windowBytes: 16 * 1024 * 1024,
  /** A fetch's window until the browser starts its download (what the controller may hold meanwhile); then widened to windowBytes. */
  prefetchBytes: 1024 * 1024,
  /** The reader acknowledges once this much was consumed (and at the latest 10 ms after). */
  ackBytes: 256 * 1024,
  /**
   * What a sender reads and sends at once (four 64 KiB frames) whenever it has credit left,
   * so it may pass its credit by less than this; a receiver refuses only bytes beyond.
   */
  readBytes: 256 * 1024,
  /** Transfers in flight on one agent connection at once. */
  maxTransfersPerConnection: 4,
  /** After the person's yes, how long the technician's browser has to start the upload or the download. */
  readyTimeoutMs: 60_000,
  /** A transfer under way that moves no byte for this long is stopped (a reader or writer that went silent). */
  stallTimeoutMs: 60_000,
  /** At most one progress update per transfer this often (console and the person's terminal). */
  progressIntervalMs: 250,
  /** A file name: one path component, at most 255 bytes of UTF-8 (what file systems store). */
  maxNameBytes: 255,
  maxPathChars: 4096,
});

export const fileDirection = z.enum(['send', 'fetch']);
export type FileDirection = z.infer<typeof fileDirection>;

export const fileSize = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lowercase hex');
export const filePath = text(FILE_LIMITS.maxPathChars).min(1);

const encoder = new TextEncoder();
/** Characters no file system of ours takes in a name (Windows' set; `:` also opens an NTFS stream). */
const UNSAFE_NAME_CHARS = /[/\\:*?"<>|]/g;
/** Names Windows keeps for devices, with any extension. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9]|conin\$|conout\$)(\..*)?$/i;

/**
 * Any name made into one safe file name: no folder separators, no character a file
 * system refuses, not `.` or `..`, not a Windows device, at most 255 bytes of UTF-8
 * with its extension kept. The browser names its upload with it and the agent its
 * file: what the person is asked about is what lands on the disk.
 */
export function safeFileName(name: string): string {
  let clean = sanitizeText(name, { tabsToSpaces: true }).replace(UNSAFE_NAME_CHARS, '_').trim();
  // Windows drops trailing dots and spaces: keep what it would store.
  clean = clean.replace(/[. ]+$/, '');
  if (clean === '' || clean === '.' || clean === '..') clean = 'file';
  if (WINDOWS_DEVICE.test(clean)) clean = `_${clean}`;
  return fitFileName(clean, FILE_LIMITS.maxNameBytes);
}

/** True when `name` is already a safe file name (as safeFileName would leave it). */
export function isSafeFileName(name: string): boolean {
  return name.length > 0 && safeFileName(name) === name;
}

/** Cuts a name to `maxBytes` of UTF-8, keeping its extension (up to 16 characters) and whole characters. */
export function fitFileName(name: string, maxBytes: number): string {
  if (encoder.encode(name).byteLength <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = [...name.slice(0, name.length - extension.length)];
  const room = maxBytes - encoder.encode(extension).byteLength;
  let bytes = 0;
  let kept = '';
  for (const char of stem) {
    const size = encoder.encode(char).byteLength;
    if (bytes + size > room) break;
    bytes += size;
    kept += char;
  }
  return `${kept}${extension}`;
}

/** `report.pdf` → `report (2).pdf`: the name a copy takes beside one already there. */
export function numberedFileName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const suffix = ` (${n})`;
  const stem = fitFileName(name.slice(0, name.length - extension.length), FILE_LIMITS.maxNameBytes - encoder.encode(suffix + extension).byteLength);
  return `${stem}${suffix}${extension}`;
}

export const fileName = text(255).refine(isSafeFileName, 'must be one file name (safeFileName)');

/** A catalog error a transfer ends with (FILE_ERR_*, or the device being offline). */
export const fileErrorCode = z.enum(FILE_ERROR_CODES);
export type FileErrorCode = z.infer<typeof fileErrorCode>;

/** Why the controller ends a transfer on the agent. */
export const fileCancelReason = z.enum(['technician', 'timeout', 'integrity', 'too-large', 'error']);
export type FileCancelReason = z.infer<typeof fileCancelReason>;

/** The reader's window: what the writer may send before the first ACK. */
const window = z.number().int().min(64 * 1024).max(64 * 1024 * 1024);

// ---- controller → agent -------------------------------------------------

/** Send: the technician offers a file; the agent asks its person (name, size, destination). */
export const fileOfferMessage = z.object({ t: z.literal('file.offer'), channel: channelId, requestedBy: person, name: fileName, size: fileSize });
/** Fetch: the technician asks for the file at `path`; the agent checks it, then asks its person. `maxBytes`: the controller's limit. */
export const fileRequestMessage = z.object({ t: z.literal('file.request'), channel: channelId, requestedBy: person, path: filePath, window, maxBytes: fileSize });
/** The writer has sent every byte (send: the controller; fetch: the agent): how many, and their SHA-256. */
export const fileEndMessage = z.object({ t: z.literal('file.end'), channel: channelId, size: fileSize, sha256: sha256Hex });
/** The controller ends a transfer (or withdraws its question): the agent deletes any partial file. */
export const fileCancelMessage = z.object({ t: z.literal('file.cancel'), channel: channelId, reason: fileCancelReason });

// ---- agent → controller -------------------------------------------------

/** How the question was answered (the same decisions as a shell's). */
export const fileConsentMessage = z.object({ t: z.literal('file.consent'), channel: channelId, decision: consentDecision });
/** Send, after the yes: ready to receive `window` bytes, to be saved as `name` in `folder`. */
export const fileAcceptMessage = z.object({ t: z.literal('file.accept'), channel: channelId, window, name: fileName, folder: filePath });
/** Fetch, before asking: the file found, by its real path, and its size (what the person is asked about). */
export const fileInfoMessage = z.object({ t: z.literal('file.info'), channel: channelId, name: fileName, path: filePath, size: fileSize });
/** Send: the file is on the disk, complete, its SHA-256 checked, at `savedAs`. */
export const fileDoneMessage = z.object({ t: z.literal('file.done'), channel: channelId, size: fileSize, sha256: sha256Hex, savedAs: filePath });
/** The agent could not go on (path refused, too large, no space, damaged, cancelled by the person...): nothing is left behind. */
export const fileFailedMessage = z.object({ t: z.literal('file.failed'), channel: channelId, code: fileErrorCode, detail: text(512).optional() });

// ---- console (browser) → controller ------------------------------------

/** Sends a file to the device: the browser uploads it once the person said yes (file.update, state `ready`). */
export const fileSendMessage = z.object({ t: z.literal('file.send'), requestId: id, deviceId: id, name: fileName, size: fileSize });
/** Fetches one file from the device; the browser downloads it once the person said yes. */
export const fileFetchMessage = z.object({ t: z.literal('file.fetch'), requestId: id, deviceId: id, path: filePath });
export const fileCancelFromConsole = z.object({ t: z.literal('file.cancel'), transferId: id });

// ---- controller → console ----------------------------------------------

/**
 * A transfer as the technician's page shows it. `asking` (the person is asked),
 * `ready` (yes: the browser starts the upload or download), `moving`, `checking`
 * (every byte is there; the SHA-256 is compared), then `done` or `failed` (`code`).
 */
export const fileTransferState = z.enum(['asking', 'ready', 'moving', 'checking', 'done', 'failed']);
export type FileTransferState = z.infer<typeof fileTransferState>;

export const fileTransferView = z.object({
  id,
  deviceId: id,
  direction: fileDirection,
  state: fileTransferState,
  /** The file's name (a fetch learns it from the agent). */
  name: fileName.nullable(),
  size: fileSize.nullable(),
  /** Fetch: the path asked for, then the real path the person was shown. Send: the folder it goes to. */
  path: filePath.nullable(),
  /** Bytes the reader has taken so far (written on the device, or sent to the browser). */
  bytes: fileSize,
  sha256: sha256Hex.nullable(),
  /** Send: where the file was saved on the device. */
  savedAs: filePath.nullable(),
  code: fileErrorCode.nullable(),
  /** The agent's words about a failure (a file system error), when it gave some. */
  detail: text(512).nullable(),
  startedAt: timestamp,
  /** How long the person has to answer, when the agent told the controller. */
  timeoutMs: z.number().int().min(0).max(3_600_000).optional(),
});
export type FileTransferView = z.infer<typeof fileTransferView>;

/** The answer to file.send / file.fetch: the transfer, asking. */
export const filePendingMessage = z.object({ t: z.literal('file.pending'), requestId: id, transfer: fileTransferView });
/** The transfer changed (answer, progress at most every FILE_LIMITS.progressIntervalMs, end). */
export const fileUpdateMessage = z.object({ t: z.literal('file.update'), transfer: fileTransferView });

/** The unions' members, kept together so messages.ts joins them in one line each. */
export const FILE_MESSAGES = Object.freeze({
  toAgent: [fileOfferMessage, fileRequestMessage, fileEndMessage, fileCancelMessage] as const,
  fromAgent: [fileConsentMessage, fileAcceptMessage, fileInfoMessage, fileEndMessage, fileDoneMessage, fileFailedMessage] as const,
  fromConsole: [fileSendMessage, fileFetchMessage, fileCancelFromConsole] as const,
  toConsole: [filePendingMessage, fileUpdateMessage] as const,
});

/** `POST /api/files/:id/upload`: the transfer once the device has the file, checked. */
export const fileAnswers = {
  upload: z.object({ transfer: fileTransferView }),
};

/** The consent decision a refusal maps to, as a catalog code. */
export function refusalCode(decision: Exclude<z.infer<typeof consentDecision>, 'granted'>): FileErrorCode {
  switch (decision) {
    case 'declined':
      return 'FILE_ERR_DECLINED';
    case 'timeout':
      return 'FILE_ERR_NO_ANSWER';
    case 'refused-by-policy':
      return 'FILE_ERR_REFUSED_BY_POLICY';
  }
}

/** A catalog code a transfer may end with, or null for anything else. */
export function asFileErrorCode(code: string): FileErrorCode | null {
  return isErrorCode(code) && (FILE_ERROR_CODES as readonly ErrorCode[]).includes(code) ? (code as FileErrorCode) : null;
}
