/**
 * One remote shell in the browser: an xterm.js terminal fitted to its pane,
 * keystrokes sent as DATA frames, output rendered and acknowledged (credit) only
 * after xterm.js has drawn it, and size changes sent as `shell.resize`.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type IDisposable } from '@xterm/xterm';
import { LIMITS, sendDataChunks } from '../../../protocol/index.js';
import type { ConsoleSocket } from '../connection/console-socket.js';
import { CreditAcks } from './credit-acks.js';
import { loadTerminalAddons } from './terminal-addons.js';

const THEME = {
  background: '#0e1420',
  foreground: '#d8dee9',
  cursor: '#8fb4ff',
  cursorAccent: '#0e1420',
  selectionBackground: '#35507a',
  black: '#1b2230', red: '#f07178', green: '#a3d977', yellow: '#f6c177', blue: '#82aaff', magenta: '#c792ea', cyan: '#89ddff', white: '#d8dee9',
  brightBlack: '#5c6773', brightRed: '#ff8b92', brightGreen: '#c3e88d', brightYellow: '#ffd59a', brightBlue: '#a6c4ff', brightMagenta: '#ddb3ff', brightCyan: '#a8ecff', brightWhite: '#ffffff',
};

const encoder = new TextEncoder();

export class TerminalSession {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly resizeObserver: ResizeObserver;
  private readonly disposables: IDisposable[] = [];
  private channel: number | null = null;
  private acks: CreditAcks | null = null;
  private stopData: (() => void) | null = null;
  private live = false;
  /** Watching another technician's shell: the terminal takes the shell's size instead of fitting its pane, and nothing typed is sent. */
  private readOnly = false;
  private fitFrame = 0;

  constructor(private readonly container: HTMLElement, private readonly socket: ConsoleSocket) {
    this.term = new Terminal({
      // The Unicode 11 widths addon uses the proposed `unicode` API.
      allowProposedApi: true,
      cursorBlink: true,
      disableStdin: true,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 14,
      lineHeight: 1.15,
      scrollback: 5000,
      theme: THEME,
    });
    this.term.loadAddon(this.fit);
    this.term.open(container);
    this.disposables.push(loadTerminalAddons(this.term, container));
    this.fitNow();
    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
    this.resizeObserver.observe(container);
    this.disposables.push(
      this.term.onData((data) => this.sendInput(encoder.encode(data))),
      // onBinary carries bytes as a "binary string" (one char per byte), e.g. some mouse reports.
      this.term.onBinary((data) => this.sendInput(Uint8Array.from(data, (ch) => ch.charCodeAt(0) & 0xff))),
      this.term.onResize(({ cols, rows }) => {
        if (this.live && this.channel !== null) this.socket.send({ t: 'shell.resize', channel: this.channel, cols, rows });
      }),
    );
  }

  /** The terminal's size in cells, clamped to the protocol's bounds. */
  size(): { cols: number; rows: number } {
    return {
      cols: Math.min(LIMITS.maxCols, Math.max(1, this.term.cols)),
      rows: Math.min(LIMITS.maxRows, Math.max(1, this.term.rows)),
    };
  }

  /** Binds the session to the channel the controller assigned; output is rendered from now on. */
  bind(channel: number): void {
    this.channel = channel;
    this.acks = new CreditAcks(channel, (frame) => this.socket.sendFrame(frame));
    this.stopData = this.socket.onData((frameChannel, payload) => {
      if (frameChannel !== channel || !this.acks) return;
      const acks = this.acks;
      const bytes = payload.byteLength;
      this.term.write(payload, () => acks.consumed(bytes));
    });
  }

  /** The shell is open: keystrokes flow, and the size is re-sent in case the pane changed meanwhile. */
  goLive(openedWithSize: { cols: number; rows: number }): void {
    if (this.channel === null) return;
    this.live = true;
    this.readOnly = false;
    this.term.options.disableStdin = false;
    this.fitNow();
    const { cols, rows } = this.size();
    if (cols !== openedWithSize.cols || rows !== openedWithSize.rows) {
      this.socket.send({ t: 'shell.resize', channel: this.channel, cols, rows });
    }
    this.focus();
  }

  /** Watching: output is drawn (and acknowledged) at the shell's own size; keystrokes and resizes are not sent. */
  watch(cols: number, rows: number): void {
    this.live = false;
    this.readOnly = true;
    this.term.options.disableStdin = true;
    this.sizeTo(cols, rows);
  }

  /** The shell's size changed while watching. */
  sizeTo(cols: number, rows: number): void {
    if (!this.readOnly) return;
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  /** True while watching another technician's shell. */
  get watching(): boolean {
    return this.readOnly;
  }

  /** Writes a notice line of ours into the terminal (not the shell's output). */
  notice(text: string): void {
    this.term.write(`\r\n\x1b[0;33m[${text}]\x1b[0m\r\n`);
  }

  /** Stops input and acknowledgements; the screen stays readable (scrollback included). */
  end(notice?: string): void {
    this.live = false;
    this.term.options.disableStdin = true;
    this.term.options.cursorBlink = false;
    this.acks?.close();
    this.acks = null;
    this.stopData?.();
    this.stopData = null;
    // Hide the cursor: nothing typed here goes anywhere any more.
    this.term.write(notice ? `\r\n\x1b[0;33m[${notice}]\x1b[0m\r\n\x1b[?25l` : '\x1b[?25l');
  }

  focus(): void {
    this.term.focus();
  }

  /** Removes the terminal from the page. */
  dispose(): void {
    this.end();
    cancelAnimationFrame(this.fitFrame);
    this.resizeObserver.disconnect();
    for (const disposable of this.disposables) disposable.dispose();
    this.term.dispose();
    this.container.replaceChildren();
  }

  private sendInput(bytes: Uint8Array): void {
    if (!this.live || this.channel === null) return;
    // A large paste can exceed one frame's payload limit: it is split.
    sendDataChunks(this.channel, bytes, (frame) => this.socket.sendFrame(frame));
  }

  private scheduleFit(): void {
    cancelAnimationFrame(this.fitFrame);
    this.fitFrame = requestAnimationFrame(() => this.fitNow());
  }

  private fitNow(): void {
    // A hidden or zero-sized pane has no meaningful size; keep the last one. A watched shell keeps its own size.
    if (this.readOnly) return;
    if (this.container.clientWidth > 0 && this.container.clientHeight > 0) this.fit.fit();
  }
}
