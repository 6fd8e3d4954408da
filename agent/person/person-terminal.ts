/**
 * Everything the person at the machine sees and types. On a TTY input is read
 * in raw mode, one key at a time; otherwise (piped stdin) one line at a time.
 * Input typed before a question is shown never answers it. Everything shown goes
 * through one ordered, non-blocking writer (the agent's words and the mirrored shell).
 */
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { MIRROR_LIMITS, MirrorWriter } from './mirror-writer.js';
import { TEXT_NEWLINE, turnOffOutputProcessing } from './raw-output.js';
import { MirrorGate } from './consent-screen.js';
import { sinkFor } from './terminal-sink.js';
import { isYesAnswer, isYesKey } from '../consent/consent-answer.js';
import { agentLanguage } from '../cli/agent-language.js';
import { CHAT_MAX_CHARS } from '../../protocol/index.js';
import { plainLine } from '../../protocol/text.js';
import { chatLine, words } from './person-words.js';

/** What the person can ask for at any time. */
export type PersonCommand = 'end-session' | 'end-shells';

export interface TerminalStreams {
  readonly input: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly output: Writable & { isTTY?: boolean; fd?: number };
  readonly errors: Writable & { isTTY?: boolean };
  /** Turns off the output terminal's processing (tests fake it); the default runs stty. */
  readonly rawOutput?: (fd: number) => Promise<boolean>;
}

/** A question waiting for the person: `answer` resolves with what they typed (or the default when it goes away). */
export interface PendingAnswer<T> {
  readonly answer: Promise<T>;
  cancel(): void;
}

/** A yes/no question: `answer` resolves true for yes, false for anything else. */
export type PendingQuestion = PendingAnswer<boolean>;

/**
 * What the keyboard answers: a yes/no question, a choice of one key (the key, or the
 * line when piped), or a line of text (the satisfaction comment). A choice or a text
 * that goes away unanswered settles with null.
 */
type Waiter =
  | { readonly kind: 'yes'; readonly settle: (yes: boolean) => void }
  | { readonly kind: 'choice'; readonly settle: (answer: string | null) => void }
  | { readonly kind: 'text'; readonly settle: (answer: string | null) => void; readonly max: number };

const CTRL_C = 0x03;
const CTRL_RIGHT_BRACKET = 0x1d;
const ESC = 0x1b;
const BACKSPACE = [0x7f, 0x08];
const ENTER = [0x0d, 0x0a];
/** The key that starts a message to the technician: M (message, in both languages). */
const CHAT_KEYS = [0x6d, 0x4d];
/** A line starting with this is a message to the technician (piped input). */
const CHAT_PREFIX = '>';
// Show the cursor, reset colours, and turn off bracketed paste,
// mouse reporting and application keypad modes.
const RESET_MODES = '\x1b[?25h\x1b[0m\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1l\x1b>';

export class PersonTerminal {
  /** True when the person types on a real terminal (keys); false when stdin is a pipe or file (lines). */
  readonly interactive: boolean;
  private partialLine = '';
  private discardRestOfLine = false;
  private inputEnded = false;
  private waiting: Waiter | null = null;
  private rawMode = false;
  /** Keeps a character split across two reads whole. */
  private readonly decoder = new StringDecoder('utf8');
  /** The screen: never blocks the agent, never drops a byte, says when it falls behind. */
  readonly screen: MirrorWriter;
  /** The message the person is typing to the technician (after pressing M); null when not writing one. */
  private draft: string | null = null;
  private readonly draftDecoder = new StringDecoder('utf8');
  /** Where the person's messages to the technician go (set by an attended session; none: M does nothing). */
  private chatListener: ((text: string) => boolean) | null = null;
  /** Mirrored shell output, paused while a question is shown so it cannot scroll the question away. */
  private readonly gate: MirrorGate;
  /** Longest draft: a chat message, or the text a question asks for. */
  private draftMax = CHAT_MAX_CHARS;
  /** A person's terminal on a POSIX system: its output processing goes off while we run (raw-output.ts). */
  private readonly rawOutput: boolean;

  constructor(private readonly streams: TerminalStreams, private readonly onCommand: (command: PersonCommand) => void) {
    this.interactive = streams.input.isTTY === true && typeof streams.input.setRawMode === 'function';
    this.rawOutput = this.interactive && process.platform !== 'win32' && streams.output.isTTY === true && typeof streams.output.fd === 'number';
    // A closed terminal must not crash the agent (EPIPE): shells are still killed on the way out.
    streams.output.on('error', () => undefined);
    streams.errors.on('error', () => undefined);
    this.screen = new MirrorWriter(sinkFor(streams.output), MIRROR_LIMITS, this.rawOutput ? TEXT_NEWLINE : '\n');
    this.gate = new MirrorGate(this.screen, streams.output.isTTY === true);
  }

  /** Starts reading what the person types. */
  start(): void {
    const input = this.streams.input;
    if (this.interactive) {
      input.setRawMode?.(true);
      this.rawMode = true;
    }
    // After setRawMode, which saved the modes it puts back at stop().
    if (this.rawOutput) void (this.streams.rawOutput ?? turnOffOutputProcessing)(this.streams.output.fd as number);
    input.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (this.interactive) this.onKeys(bytes);
      else this.onText(this.decoder.write(bytes));
    });
    // End of input is not an answer and does not end the session: questions then time out.
    input.on('end', () => (this.inputEnded = true));
    input.on('error', () => (this.inputEnded = true));
    input.resume();
  }

  /** Prints text for the person, followed by a newline. */
  say(text: string): void {
    this.screen.write(`${text}\n`);
  }

  /** Prints a problem (to stderr). */
  warn(text: string): void {
    // stderr is usually the same terminal.
    const newline = this.rawOutput && this.streams.errors.isTTY === true ? TEXT_NEWLINE : '\n';
    this.streams.errors.write(`${text.replace(/\r?\n/g, newline)}${newline}`);
  }

  /** Lets the person write to the technician; `send` returns false when the message could not go. */
  onChat(send: (text: string) => boolean): void {
    this.chatListener = send;
  }

  /** Shows a technician's message on a line of its own, labelled, between whatever a shell prints. */
  chat(name: string, text: string): void {
    this.screen.write(`${chatLine(plainLine(name, 128), plainLine(text, CHAT_MAX_CHARS), this.interactive)}\n`);
    // A message being typed is shown again below, so the person sees where they are.
    if (this.draft !== null) this.screen.write(`${words('chatCompose')} ${this.draft}`);
  }

  /** Shows the person, unchanged, what a remote shell prints (the bytes are only read, later); held while a question is shown. */
  mirror(bytes: Uint8Array): void {
    this.gate.mirror(bytes);
  }

  /** A remote shell is mirrored here from now on (questions then get a screen of their own). */
  shellOpened(): void {
    this.gate.shellOpened();
  }

  shellClosed(): void {
    this.gate.shellClosed();
  }

  /** True while a question has paused the mirror (for tests). */
  get mirrorPaused(): boolean {
    return this.gate.isPaused;
  }

  /**
   * The question shown was answered (or withdrawn): prints `outcome`; unless another
   * question follows (`more`), the shell's screen and its mirror come back.
   */
  answered(outcome: string, more: boolean): void {
    if (more) return this.say(outcome);
    this.gate.resume(outcome);
  }

  /**
   * Puts the person's terminal back in its usual modes after a remote shell,
   * whose mirrored output may have switched screens, colours or input modes.
   */
  resetModes(): void {
    if (this.interactive) this.screen.write(RESET_MODES);
  }

  /** Shows a question and waits for the first answer typed after it appeared. */
  ask(question: string): PendingQuestion {
    return this.question(question, (settle) => ({ kind: 'yes', settle }), false);
  }

  /** Shows a question answered by one key (piped: one line); resolves with it lower-cased, or null when it goes away. */
  askChoice(question: string): PendingAnswer<string | null> {
    return this.question<string | null>(question, (settle) => ({ kind: 'choice', settle }), null);
  }

  /**
   * Asks for one line of text after `prompt` (on a terminal it is edited like a chat message:
   * Enter sends, Esc skips); resolves with the trimmed line, or null when skipped or gone.
   */
  askText(prompt: string, max: number): PendingAnswer<string | null> {
    const pending = this.question<string | null>(prompt, (settle) => ({ kind: 'text', settle, max }), null, false);
    if (this.interactive && this.waiting?.kind === 'text') {
      this.draft = '';
      this.draftMax = max;
      this.screen.write('> ');
    }
    return pending;
  }

  /** The one way a question takes the keyboard (see ask). */
  private question<T>(text: string, waiterOf: (settle: (value: T) => void) => Waiter, gone: T, newline = true): PendingAnswer<T> {
    this.cancelWaiting();
    // A question takes the keyboard: a message being typed is dropped (said so), the question comes first.
    if (this.draft !== null) {
      this.draft = null;
      this.screen.write(`\n${words('chatCancelled')}\n`);
    }
    // Whatever was typed so far belongs to before the question: drop it, and the rest of its line.
    this.discardRestOfLine = this.partialLine.length > 0;
    this.partialLine = '';
    this.gate.pause();
    if (newline || !this.interactive) this.say(text);
    else this.screen.write(`${text}\n`);
    if (this.inputEnded) this.say(words('inputEnded'));
    let settle: (value: T) => void = () => undefined;
    const answer = new Promise<T>((resolve) => (settle = resolve));
    const waiter = waiterOf((value: T) => {
      if (this.waiting === waiter) this.waiting = null;
      settle(value);
    });
    this.waiting = waiter;
    return {
      answer,
      cancel: () => {
        if (this.waiting !== waiter) return;
        this.waiting = null;
        // A yes/no question withdrawn is not answered (its asker settles it); a choice or text settles with nothing.
        if (waiter.kind === 'yes') return;
        if (waiter.kind === 'text') this.draft = null;
        settle(gone);
      },
    };
  }

  /** A new question (or the end) settles the one waiting with its default: no, or nothing. */
  private cancelWaiting(): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (!waiting) return;
    if (waiting.kind === 'yes') waiting.settle(false);
    else {
      if (waiting.kind === 'text' && this.draft !== null) {
        this.draft = null;
        this.draftMax = CHAT_MAX_CHARS;
        this.screen.write('\n');
      }
      waiting.settle(null);
    }
  }

  /** Gives the terminal back as it was (cooked mode), stops reading, and resolves once the screen has everything (at most `ms`). */
  stop(ms = 2000): Promise<void> {
    this.cancelWaiting();
    this.resetModes();
    if (this.rawMode) this.streams.input.setRawMode?.(false);
    this.rawMode = false;
    this.streams.input.pause();
    return this.screen.idle(ms);
  }

  private onKeys(bytes: Uint8Array): void {
    if (this.draft !== null) return this.onDraftKeys(bytes);
    for (const key of bytes) {
      if (key === CTRL_C) return this.onCommand('end-session');
      if (key === CTRL_RIGHT_BRACKET) {
        this.onCommand('end-shells');
        continue;
      }
      if (this.waiting) {
        // One key answers; the rest of a paste or an escape sequence is not an answer to anything.
        if (this.waiting.kind === 'yes') this.waiting.settle(isYesKey(key, agentLanguage()));
        else if (this.waiting.kind === 'choice') this.waiting.settle(String.fromCharCode(key).toLowerCase());
        return;
      }
      if (CHAT_KEYS.includes(key) && this.chatListener) {
        this.draft = '';
        this.screen.write(`\n${words('chatCompose')} `);
        return;
      }
    }
  }

  /** Typing a message: printable text is echoed, Backspace erases, Enter sends, Esc cancels, Ctrl+C still ends the session. */
  private onDraftKeys(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const key = bytes[i]!;
      if (key === CTRL_C) {
        this.draft = null;
        return this.onCommand('end-session');
      }
      if (key === ESC) {
        // A lone Esc cancels; an escape sequence (arrow keys…) is ignored whole.
        if (i === bytes.length - 1) return this.endDraft(null);
        return;
      }
      if (ENTER.includes(key)) return this.endDraft(this.draft);
      if (BACKSPACE.includes(key)) {
        const chars = [...(this.draft ?? '')];
        if (chars.length > 0) {
          this.draft = chars.slice(0, -1).join('');
          this.screen.write('\b \b');
        }
        continue;
      }
      if (key < 0x20) continue;
      // Printable text up to the next control key, decoded as UTF-8 (a character may span reads).
      let end = i;
      while (end < bytes.length && bytes[end]! >= 0x20 && bytes[end] !== 0x7f) end++;
      const typed = plainLine(this.draftDecoder.write(Buffer.from(bytes.subarray(i, end))), this.draftMax);
      i = end - 1;
      const room = this.draftMax - (this.draft ?? '').length;
      if (typed.length > room) {
        const again = this.waiting?.kind === 'text' ? '>' : words('chatCompose');
        this.screen.write(`\n${words('chatTooLong', { max: this.draftMax })}\n${again} ${this.draft ?? ''}`);
        continue;
      }
      this.draft = (this.draft ?? '') + typed;
      this.screen.write(typed);
    }
  }

  private endDraft(text: string | null): void {
    this.draft = null;
    this.draftMax = CHAT_MAX_CHARS;
    const line = text?.trim() ?? '';
    // The text a question asked for (the satisfaction comment), not a chat message.
    if (this.waiting?.kind === 'text') {
      this.screen.write('\n');
      return this.waiting.settle(line === '' ? null : line);
    }
    if (line === '') return void this.screen.write(`\n${words('chatCancelled')}\n`);
    this.screen.write('\n');
    this.sendChat(line);
  }

  private sendChat(line: string): void {
    if (line.length > CHAT_MAX_CHARS) return this.say(words('chatTooLong', { max: CHAT_MAX_CHARS }));
    const sent = this.chatListener?.(plainLine(line, CHAT_MAX_CHARS)) ?? false;
    this.say(words(sent ? 'chatSent' : 'chatNotConnected'));
  }

  private onText(text: string): void {
    this.partialLine += text;
    let newline: number;
    while ((newline = this.partialLine.indexOf('\n')) !== -1) {
      const line = this.partialLine.slice(0, newline).replace(/\r$/, '').trim();
      this.partialLine = this.partialLine.slice(newline + 1);
      if (this.discardRestOfLine) {
        this.discardRestOfLine = false;
        continue;
      }
      this.onLine(line);
    }
    // A line without end is still typed by one person: bound it rather than buffer forever.
    if (this.partialLine.length > 4096) {
      this.partialLine = '';
      this.discardRestOfLine = true;
    }
  }

  private onLine(line: string): void {
    const word = line.toLowerCase();
    if (word === 'quit' || word === 'quitter') return this.onCommand('end-session');
    if (this.waiting?.kind === 'text') return this.waiting.settle(line === '' ? null : plainLine(line, this.waiting.max));
    if (line.startsWith(CHAT_PREFIX) && this.chatListener) return this.sendChat(line.slice(CHAT_PREFIX.length).trim());
    if (this.waiting?.kind === 'yes') return this.waiting.settle(isYesAnswer(word, agentLanguage()));
    if (this.waiting?.kind === 'choice') return this.waiting.settle(word);
    if (word === 'end' || word === 'fin') return this.onCommand('end-shells');
    if (word !== '') this.say(words('nothingWaiting'));
  }
}
