/** The life of one shell request as the technician sees it, and how each state is shown. */
import type { ControllerToConsole } from '../../../protocol/index.js';
import { consentExplained } from '../ui/wording.js';

export type ShellMode = Extract<ControllerToConsole, { t: 'shell.opened' }>['mode'];

export type ShellState =
  | { kind: 'idle' }
  | { kind: 'requesting'; requestId: string }
  | { kind: 'pending'; requestId: string; channel: number }
  | { kind: 'starting'; channel: number }
  | { kind: 'live'; channel: number; mode: ShellMode; user: string; shell: string }
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
      return { tone: 'neutral', text: 'No shell open.', detail: `Opening a shell asks ${hostname}'s user for permission on their own screen.` };
    case 'requesting':
      return { tone: 'busy', text: 'Sending the request to the device…' };
    case 'pending':
      return {
        tone: 'busy',
        text: `Waiting for ${hostname}'s user to allow the shell`,
        detail: `${consentExplained()} They see your name and must type "y" in the agent window; nothing runs on their machine until they do.`,
      };
    case 'starting':
      return { tone: 'busy', text: 'Allowed by the user. Starting the shell…' };
    case 'live':
      return { tone: 'good', text: `Shell open as ${state.user}`, detail: `${state.shell} · the person can see that a shell is open and can end it at any time.` };
    case 'refused':
      return { tone: 'warn', text: state.title, detail: state.detail };
    case 'closed':
      return { tone: 'neutral', text: `Shell closed. ${state.reason}`, detail: 'You can open a new one; the user will be asked again.' };
    case 'failed':
      return { tone: 'bad', text: state.message };
  }
}

/** True while a request or a shell holds a channel (or is about to). */
export function isActive(state: ShellState): boolean {
  return state.kind === 'requesting' || state.kind === 'pending' || state.kind === 'starting' || state.kind === 'live';
}
