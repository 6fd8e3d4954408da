/**
 * "Refresh" on the device page: asks the controller for a new snapshot
 * (`diagnostics.refresh`) and follows that one request to its end, the
 * `device.diagnostics` carrying its requestId, or an error in the catalog's words.
 */
import type { ConsoleSocket } from '../connection/console-socket.js';
import { newRequestId } from '../connection/request-id.js';
import { errorText } from '../ui/wording.js';
import { wordsOf } from '../app/language.js';
import { diagnosticsCatalog } from './diagnostics-catalog.js';

const t = wordsOf(diagnosticsCatalog);

export type RefreshState =
  | { kind: 'idle' }
  | { kind: 'requesting'; requestId: string }
  | { kind: 'collecting'; requestId: string }
  | { kind: 'done'; at: number }
  | { kind: 'failed'; message: string };

/** Probes have their own time limits on the agent; past this, the answer is not coming. */
const GIVE_UP_MS = 45_000;

export class DiagnosticsRefresh {
  private current: RefreshState = { kind: 'idle' };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: (() => void)[];

  /** `onChange` runs after every state change. */
  constructor(private readonly deviceId: string, private readonly socket: ConsoleSocket, private readonly onChange: () => void) {
    this.unsubscribe = [
      socket.on('diagnostics.pending', (m) => {
        if (this.isMine(m.requestId) && this.current.kind === 'requesting') this.set({ kind: 'collecting', requestId: m.requestId });
      }),
      socket.on('device.diagnostics', (m) => {
        if (m.requestId !== null && this.isMine(m.requestId)) this.set({ kind: 'done', at: Date.now() });
      }),
      socket.on('error', (m) => {
        if (m.requestId !== undefined && this.isMine(m.requestId)) this.set({ kind: 'failed', message: errorText(m.code, m.message) });
      }),
      socket.onState((s) => {
        if (s.kind !== 'open' && this.busy) this.set({ kind: 'failed', message: t('connectionLost') });
      }),
    ];
  }

  get state(): RefreshState {
    return this.current;
  }

  /** True from the click until the new snapshot (or an error) arrives. */
  get busy(): boolean {
    return this.current.kind === 'requesting' || this.current.kind === 'collecting';
  }

  /** Asks for a new snapshot; ignored while one is on its way. */
  start(): void {
    if (this.busy) return;
    const requestId = newRequestId();
    if (!this.socket.send({ t: 'diagnostics.refresh', requestId, deviceId: this.deviceId })) {
      return this.set({ kind: 'failed', message: t('notConnectedRetry') });
    }
    this.set({ kind: 'requesting', requestId });
  }

  /** The device went away mid-collection: the answer will not come. */
  fail(message: string): void {
    if (this.busy) this.set({ kind: 'failed', message });
  }

  dispose(): void {
    for (const stop of this.unsubscribe) stop();
    if (this.timer) clearTimeout(this.timer);
  }

  private isMine(requestId: string): boolean {
    const s = this.current;
    return (s.kind === 'requesting' || s.kind === 'collecting') && s.requestId === requestId;
  }

  private set(next: RefreshState): void {
    this.current = next;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.busy) {
      this.timer = setTimeout(() => this.fail(t('tooLate')), GIVE_UP_MS);
    }
    this.onChange();
  }
}
