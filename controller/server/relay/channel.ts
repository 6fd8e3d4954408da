/** One relayed shell as the relay keeps it: its two legs, who sits at it, its scrollback, its credit and its recording. */
import type { LiveShell, Person } from '../../../protocol/index.js';
import type { ShellLog } from '../recordings/shell-recorder.js';
import type { AgentLink, ConsoleLink } from './links.js';
import type { ObserverFeed } from './observer-feed.js';
import type { OutputRing } from './output-ring.js';
import type { ShellSeats } from './shell-seats.js';

type ShellMode = LiveShell['mode'];

export interface Channel {
  readonly id: number;
  readonly agent: AgentLink;
  /** The holder of the keyboard, the console they type in (null while none is attached: the grace timer runs), the observers. */
  readonly seats: ShellSeats<ConsoleLink>;
  /** Each observer's own pace through the scrollback ring. */
  readonly feeds: Map<ConsoleLink, ObserverFeed>;
  /** Observers already told that their keystrokes are not sent (once each). */
  readonly toldReadOnly: Set<ConsoleLink>;
  /** Who the agent was last told is on the shell, to tell it only of changes. */
  viewersSaid: string;
  readonly deviceId: string;
  readonly requestedBy: Person;
  state: 'consent' | 'open';
  openedAt: number | null;
  /** What shell.opened said, repeated to a console that attaches later. */
  opened: { mode: ShellMode; user: string; shell: string } | null;
  /** Recent output, sent first to a console that attaches. */
  readonly scrollback: OutputRing;
  /** Output bytes forwarded to the attached console and not yet acknowledged by it: owed to the agent as credit. */
  owed: number;
  /** Scrollback bytes replayed to the attached console: its first acknowledgements are for these, and stop here. */
  replayOwed: number;
  /** Ends the shell when no console came back in time. */
  graceTimer: ReturnType<typeof setTimeout> | null;
  /** The terminal's size as last asked by the console (the recording starts with it). */
  cols: number;
  rows: number;
  /** The shell's recording and timeline, from its opening. */
  log: ShellLog | null;
}

