/** Random secrets and how they are stored: only hashes ever reach the database. */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

/** 256 bits of randomness, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A short random identifier for rows shown in URLs and typed on command lines:
 * 16 base64url characters, never a leading "-", which a command line would read
 * as an option (96 bits drawn, one id in 64 drawn again).
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Support codes have only 10^9 values, so a plain hash could be reversed by
 * trying them all; a keyed hash with a secret kept outside the table cannot.
 */
export function hmac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** A uniformly random 9-digit code, leading zeros allowed. */
export function newSupportCode(): string {
  return randomInt(0, 1_000_000_000).toString().padStart(9, '0');
}

/** "482193557" → "482 193 557". */
export function groupCode(code: string): string {
  return code.replace(/(\d{3})(?=\d)/g, '$1 ');
}
