/**
 * Credit-based flow control for one channel, like an SSH window: the reader
 * grants bytes, the writer spends them and stops when they are gone.
 */
export class Credit {
  private available: number;

  constructor(window: number) {
    this.available = window;
  }

  /** Spends `bytes`; returns true when the window is now exhausted and the source must pause. */
  spend(bytes: number): boolean {
    this.available -= bytes;
    return this.available <= 0;
  }

  /** Adds `bytes` acknowledged by the reader; returns true when sending may go on. */
  grant(bytes: number): boolean {
    // Bounded so a hostile peer cannot overflow the counter into nonsense.
    this.available = Math.min(this.available + bytes, Number.MAX_SAFE_INTEGER);
    return this.available > 0;
  }

  get remaining(): number {
    return this.available;
  }
}
