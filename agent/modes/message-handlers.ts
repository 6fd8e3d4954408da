/**
 * What the agent does with each message from the controller, declared per mode
 * (attended, managed) as a table with one entry per message type: a new type
 * fails to compile until every mode says what it does with it. Shells, files,
 * diagnostics and the controller's error reports work the same in both modes.
 */
import { errorWords } from '../../protocol/index.js';
import { agentLanguage } from '../cli/agent-language.js';
import { words } from '../person/person-words.js';
import type { DiagnosticsReplies } from '../diagnostics/diagnostics-replies.js';
import type { SessionMessage } from '../link/link.js';
import type { ShellRequests } from '../shell/shell-requests.js';
import type { FileRequests } from '../files/file-requests.js';

export type SessionMessageType = SessionMessage['t'];
export type SessionMessageOf<T extends SessionMessageType> = Extract<SessionMessage, { t: T }>;

/** One handler per message type, each receiving exactly its message. */
export type MessageHandlers = { readonly [T in SessionMessageType]: (message: SessionMessageOf<T>) => void };

/** The messages both modes handle alike. */
export type SharedMessageType =
  | 'shell.open' | 'shell.resize' | 'shell.close' | 'shell.viewers' | 'shell.takeover' | 'shell.takeover.cancel' | 'diagnostics.request' | 'error'
  | FileMessageType;
type FileMessageType = 'file.offer' | 'file.request' | 'file.end' | 'file.cancel';

export interface SharedParts {
  readonly shells: ShellRequests;
  readonly files: FileRequests;
  readonly diagnostics: DiagnosticsReplies;
  /** Tells whoever watches the agent (the person, or the service's log). */
  readonly warn: (text: string) => void;
}

/** Hands a validated message to its mode's handler. */
export function dispatchMessage(handlers: MessageHandlers, message: SessionMessage): void {
  // The mapped type pairs each key with its own message type; TypeScript cannot follow that through an index.
  (handlers[message.t] as (message: SessionMessage) => void)(message);
}

/** Shells, file transfers, diagnostics requests and error reports: the same in both modes (consent differs, not the handling). */
export function sharedHandlers({ shells, files, diagnostics, warn }: SharedParts): Pick<MessageHandlers, SharedMessageType> {
  return {
    'file.offer': (message) => void files.offer(message),
    'file.request': (message) => void files.request(message),
    'file.end': (message) => void files.end(message),
    'file.cancel': (message) => files.cancel(message.channel, message.reason),
    'shell.open': (message) => void shells.open(message),
    'shell.resize': (message) => shells.resize(message.channel, message.cols, message.rows),
    'shell.close': (message) => shells.close(message.channel, message.reason),
    // Two technicians on one shell: the person is told who watches, and asked before anyone else types.
    'shell.viewers': (message) => shells.viewers(message),
    'shell.takeover': (message) => void shells.takeover(message),
    'shell.takeover.cancel': (message) => shells.cancelTakeover(message.channel, message.requestId),
    'diagnostics.request': (message) => diagnostics.request(message.requestId),
    error: (message) => warn(words('controllerReported', { error: errorWords(message.code, agentLanguage()) })),
  };
}
