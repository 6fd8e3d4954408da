/** The life of one shell request as the technician sees it, and how each state is shown. */
import type { ControllerToConsole, Person } from '../../../protocol/index.js';
import { consentExplained } from '../ui/wording.js';
import { wordsOf } from '../app/language.js';
import { shellCatalog } from './shell-catalog.js';
import { sharingCatalog } from './sharing-catalog.js';

const t = wordsOf(shellCatalog);
const ts = wordsOf(sharingCatalog);

export type ShellMode = Extract<ControllerToConsole, { t: 'shell.opened' }>['mode'];

export type ShellState =
  | { kind: 'idle' }
  | { kind: 'requesting'; requestId: string }
  | { kind: 'pending'; requestId: string; channel: number }
  | { kind: 'starting'; channel: number }
  | { kind: 'live'; channel: number; mode: ShellMode; user: string; shell: string }
  /** Watching another technician's shell, read-only; `asking` while the person is asked to hand over the keyboard. */
  | { kind: 'watching'; channel: number; mode: ShellMode; user: string; shell: string; holder: Person; asking: { requestId: string } | null }
  /** Binding again to a shell still open on the controller (back on the page, after a reload or a lost connection). */
  | { kind: 'attaching'; requestId: string; channel: number }
  /** Still open, shown in another window (or tab) of the browser. */
  | { kind: 'elsewhere'; channel: number; user: string; shell: string }
  /** The connection to the controller dropped; the shell waits on the controller for it to come back. */
  | { kind: 'reconnecting'; channel: number }
  | { kind: 'refused'; title: string; detail: string }
  | { kind: 'closed'; reason: string }
  | { kind: 'failed'; message: string };

export type Tone = 'neutral' | 'busy' | 'good' | 'warn' | 'bad';

export interface StateView {
  tone: Tone;
  text: string;
  detail?: string;
}

/** The status line for a state; `hostname` is untrusted and only ever set as text. */
export function viewOf(state: ShellState, hostname: string): StateView {
  switch (state.kind) {
    case 'idle':
      return { tone: 'neutral', text: t('idle'), detail: t('idleDetail', { hostname }) };
    case 'requesting':
      return { tone: 'busy', text: t('requesting') };
    case 'pending':
      return {
        tone: 'busy',
        text: t('pending', { hostname }),
        detail: t('pendingDetail', { explained: consentExplained() }),
      };
    case 'starting':
      return { tone: 'busy', text: t('allowed') };
    case 'live':
      return { tone: 'good', text: t('live', { user: state.user }), detail: t('liveDetail', { shell: state.shell }) };
    case 'watching':
      return state.asking
        ? { tone: 'busy', text: ts('askingKeyboard'), detail: ts('askingDetail', { holder: state.holder.name }) }
        : { tone: 'good', text: ts('watching', { holder: state.holder.name }), detail: ts('watchingDetail') };
    case 'refused':
      return { tone: 'warn', text: state.title, detail: state.detail };
    case 'attaching':
      return { tone: 'busy', text: t('attaching') };
    case 'elsewhere':
      return { tone: 'neutral', text: t('elsewhere', { user: state.user }), detail: t('elsewhereDetail') };
    case 'reconnecting':
      return { tone: 'warn', text: t('reconnecting'), detail: t('reconnectingDetail') };
    case 'closed':
      return { tone: 'neutral', text: t('closed', { reason: state.reason }), detail: t('closedDetail') };
    case 'failed':
      return { tone: 'bad', text: state.message };
  }
}

/** True while a request or a shell holds a channel (or is about to). */
export function isActive(state: ShellState): boolean {
  return channelOf(state) !== null || state.kind === 'requesting';
}

/** The channel a state is about, if it has one. */
export function channelOf(state: ShellState): number | null {
  switch (state.kind) {
    case 'pending':
    case 'starting':
    case 'live':
    case 'watching':
    case 'attaching':
    case 'elsewhere':
    case 'reconnecting':
      return state.channel;
    default:
      return null;
  }
}
