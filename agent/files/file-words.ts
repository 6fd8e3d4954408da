/** The person's words about file transfers that several parts of agent/files share. */
import { errorWords, formatSize, plainText, type FileCancelReason, type FileErrorCode, type Person } from '../../protocol/index.js';
import { agentLanguage, agentWords } from '../cli/agent-language.js';
import { filesCatalog } from './files-catalog.js';

export const words = agentWords(filesCatalog);

/** The line after a no, no answer, or the policy's refusal of a file transfer. */
export function refused(outcome: 'declined' | 'timeout' | 'refused-by-policy', seconds: number): string {
  if (outcome === 'declined') return words('declined');
  return outcome === 'timeout' ? words('timedOut', { seconds }) : words('refusedByPolicy');
}

/** The catalog code the person reads for each reason the controller gives. */
export const CANCEL_CODES: Readonly<Record<FileCancelReason, FileErrorCode>> = {
  technician: 'FILE_ERR_CANCELLED',
  timeout: 'FILE_ERR_CANCELLED',
  integrity: 'FILE_ERR_INTEGRITY',
  'too-large': 'FILE_ERR_TOO_LARGE',
  error: 'FILE_ERR_CANCELLED',
};

/** Who asks, as the person reads it. */
export function whoOf(person: Person): string {
  return `${person.name} (${person.username})`;
}

/** A size in the person's language. */
export function sizeText(bytes: number): string {
  return formatSize(bytes, agentLanguage());
}

/** The catalog's words for a failure; with the system's own message when a read or write failed (other details are codes for the log). */
export function reasonText(code: FileErrorCode, detail: string): string {
  const said = errorWords(code, agentLanguage());
  return code === 'FILE_ERR_IO' && detail ? `${said} (${plainText(detail, 200)})` : said;
}
