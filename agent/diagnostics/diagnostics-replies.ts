/**
 * Answers the controller's diagnostics requests. Collection is read-only, so it
 * needs no consent, but it does run probes: one collection at a time, and every
 * request that arrives meanwhile gets that same result (a flood costs nothing).
 */
import type { Snapshot } from '../../protocol/index.js';
import type { AgentMessage } from '../link/link.js';

export class DiagnosticsReplies {
  private running: Promise<Snapshot | null> | null = null;

  constructor(
    private readonly collect: () => Promise<Snapshot>,
    private readonly send: (message: AgentMessage) => boolean,
    /** Told after each snapshot sent, so the person knows what the technician received. */
    private readonly sent: (requestId: string | null) => void,
  ) {}

  /** Collects (or joins the collection in progress) and sends the snapshot for `requestId` (null: unasked, at join). */
  request(requestId: string | null): void {
    if (!this.running) {
      const running = this.collect().catch(() => null);
      this.running = running;
      void running.then(() => {
        if (this.running === running) this.running = null;
      });
    }
    void this.running.then((snapshot) => {
      if (snapshot && this.send({ t: 'diagnostics.snapshot', requestId, snapshot })) this.sent(requestId);
    });
  }
}
