/**
 * A question asked while a remote shell is mirrored on the person's terminal must
 * not scroll away under the shell's output. So while a question waits, the mirror
 * is paused: the shell's output keeps flowing to the technician (the pty is not held
 * back for the person's screen), and here it is kept in a bounded buffer — the
 * newest bytes, at most `maxHeldBytes`. On a terminal the question is drawn on a
 * screen of its own (the alternate screen; or, when the shell's program is already
 * on it, a cleared one). Once answered, the shell's screen comes back, a notice says
 * mirroring resumes (and how much was not shown, if the buffer overflowed), then what
 * the shell printed meanwhile.
 */
import { formatSize } from '../../protocol/index.js';
import { agentLanguage, agentWords } from '../cli/agent-language.js';
import { sharingCatalog } from './sharing-catalog.js';

const words = agentWords(sharingCatalog);

/** Where the gate writes: the person's ordered screen writer. */
export interface Screen {
  write(data: Uint8Array | string): void;
}

/** The shell's output held while a question is shown: enough for a few screens of a busy shell. */
export const MAX_HELD_BYTES = 256 * 1024;

// Terminal control (not words): the alternate screen, clear and home, attributes reset and cursor shown.
const ENTER_ALT = '\x1b[?1049h'; // i18n-ignore: escape sequence
const LEAVE_ALT = '\x1b[?1049l'; // i18n-ignore: escape sequence
const CLEAR = '\x1b[0m\x1b[?25h\x1b[H\x1b[2J'; // i18n-ignore: escape sequence
/** The switches between the main and the alternate screen a program may send (xterm's 1049, 1047 and 47). */
const ALT_SWITCH = /\x1b\[\?(?:1049|1047|47)([hl])/g;
/** The longest of those switches, in bytes. */
const SWITCH_BYTES = 8;

/** 'h' or 'l' of the last switch in `text`, if any. */
function lastSwitch(text: string): string | undefined {
  let last: string | undefined;
  for (const match of text.matchAll(ALT_SWITCH)) last = match[1];
  return last;
}

export class MirrorGate {
  private openShells = 0;
  private paused: 'no' | 'alt' | 'cleared' | 'plain' = 'no';
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private dropped = 0;
  /** The mirrored program switched to the alternate screen (a full-screen program: vim, less, top). */
  private programOnAltScreen = false;
  /** The last bytes seen, so a switch split between two reads is still recognised. */
  private tail = '';

  /** `drawsScreens`: the output is a terminal, where escape sequences draw; otherwise (a pipe, a log) lines only. */
  constructor(private readonly screen: Screen, private readonly drawsScreens: boolean, private readonly maxHeldBytes = MAX_HELD_BYTES) {}

  /** A remote shell is mirrored from now on. */
  shellOpened(): void {
    this.openShells++;
  }

  /** A mirrored shell ended: the next program starts on the main screen. */
  shellClosed(): void {
    this.openShells = Math.max(0, this.openShells - 1);
    if (this.openShells === 0) {
      this.programOnAltScreen = false;
      this.tail = '';
    }
  }

  get mirroring(): boolean {
    return this.openShells > 0;
  }

  get isPaused(): boolean {
    return this.paused !== 'no';
  }

  /** Bytes of shell output held now, and bytes dropped from the hold (for tests). */
  get holding(): { bytes: number; dropped: number } {
    return { bytes: this.heldBytes, dropped: this.dropped };
  }

  /** What a shell printed: to the screen, or held while a question is shown. */
  mirror(bytes: Uint8Array): void {
    this.follow(bytes);
    if (this.paused === 'no') return this.screen.write(bytes);
    this.held.push(Buffer.from(bytes));
    this.heldBytes += bytes.byteLength;
    while (this.heldBytes > this.maxHeldBytes) {
      const first = this.held[0]!;
      const over = this.heldBytes - this.maxHeldBytes;
      if (first.byteLength <= over) {
        this.held.shift();
        this.heldBytes -= first.byteLength;
        this.dropped += first.byteLength;
      } else {
        this.held[0] = first.subarray(over);
        this.heldBytes -= over;
        this.dropped += over;
      }
    }
  }

  /** A question is about to be shown: pause mirroring and give it a screen of its own. No-op when nothing is mirrored or already paused. */
  pause(): void {
    if (this.paused !== 'no' || !this.mirroring) return;
    if (!this.drawsScreens) {
      this.paused = 'plain';
    } else if (this.programOnAltScreen) {
      this.paused = 'cleared';
      this.screen.write(CLEAR);
    } else {
      this.paused = 'alt';
      this.screen.write(ENTER_ALT + CLEAR);
    }
    this.screen.write(`${words('mirrorPaused')}\n\n`);
  }

  /**
   * The question is answered: the shell's screen comes back, `outcome` (the answer's
   * line) is printed on it with the notice, then what the shell printed meanwhile.
   */
  resume(outcome: string): void {
    const was = this.paused;
    if (was === 'no') return this.screen.write(`${outcome}\n`);
    this.paused = 'no';
    if (was === 'alt') this.screen.write(LEAVE_ALT);
    if (was === 'cleared') this.screen.write(CLEAR);
    const notice = this.dropped > 0 ? words('mirrorResumedLost', { size: formatSize(this.dropped, agentLanguage()) }) : words('mirrorResumed');
    this.screen.write(`\n${outcome}\n${notice}\n`);
    for (const chunk of this.held) this.screen.write(chunk);
    this.held = [];
    this.heldBytes = 0;
    this.dropped = 0;
  }

  /** Notes which screen the mirrored program is on (the last switch in what it printed wins). */
  private follow(bytes: Uint8Array): void {
    if (!this.drawsScreens || bytes.byteLength === 0) return;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // A switch split between two reads: the last bytes seen, then the first of these.
    let last = lastSwitch(this.tail + buffer.toString('latin1', 0, Math.min(SWITCH_BYTES, buffer.byteLength)));
    // Then only where an escape starts (a memchr over the bytes): most output has few or
    // none, and decoding every read into a string to scan it cost more than the mirror's write.
    for (let at = buffer.indexOf(0x1b); at !== -1; at = buffer.indexOf(0x1b, at + 1)) {
      const found = lastSwitch(buffer.toString('latin1', at, Math.min(at + SWITCH_BYTES, buffer.byteLength)));
      if (found !== undefined) last = found;
    }
    if (last !== undefined) this.programOnAltScreen = last === 'h';
    this.tail = buffer.byteLength >= SWITCH_BYTES
      ? buffer.toString('latin1', buffer.byteLength - SWITCH_BYTES)
      : (this.tail + buffer.toString('latin1')).slice(-SWITCH_BYTES);
  }
}
