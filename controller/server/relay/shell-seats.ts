/**
 * Who sits at one live shell: the holder of the keyboard (the technician the person
 * said yes to), the console that shows it to them (the driver; none while their
 * page is away), the observers watching read-only, and at most one take-over
 * request waiting for the person's answer. A pure state machine over console
 * handles, so the relay's rules are tested without sockets.
 */
import type { ConsentDecision, Person } from '../../../protocol/index.js';
import { MAX_OBSERVERS_PER_SHELL } from '../../../protocol/index.js';

export interface Takeover<C> {
  readonly by: C;
  readonly person: Person;
  /** The console's request id (its answer names it). */
  readonly requestId: string;
  /** The id the agent answers with: fresh per request, so a late answer to an old one is ignored. */
  readonly ticket: string;
}

export type ObserveOutcome = 'observer' | 'already' | 'full';
export type AskOutcome = 'asked' | 'not-observer' | 'pending';
export type AnswerOutcome<C> =
  | { kind: 'stale' }
  | { kind: 'refused'; takeover: Takeover<C>; decision: Exclude<ConsentDecision, 'granted'> }
  | { kind: 'granted'; takeover: Takeover<C>; previous: C | null };

export class ShellSeats<C> {
  /** The technician who has the keyboard. */
  holder: Person;
  /** The console the holder types in; null while none shows the shell. */
  driver: C | null;
  private readonly watching = new Map<C, Person>();
  private pending: Takeover<C> | null = null;

  constructor(holder: Person, driver: C | null, private readonly maxObservers = MAX_OBSERVERS_PER_SHELL) {
    this.holder = holder;
    this.driver = driver;
  }

  /** The observers, in the order they came. */
  get observers(): ReadonlyMap<C, Person> {
    return this.watching;
  }

  get takeover(): Takeover<C> | null {
    return this.pending;
  }

  roleOf(console: C): 'driver' | 'observer' | null {
    if (this.driver === console) return 'driver';
    return this.watching.has(console) ? 'observer' : null;
  }

  /** A console starts watching. A console that drove stops driving (it only watches now). */
  observe(console: C, person: Person): ObserveOutcome {
    if (this.watching.has(console)) return 'already';
    if (this.watching.size >= this.maxObservers) return 'full';
    if (this.driver === console) this.driver = null;
    this.watching.set(console, person);
    return 'observer';
  }

  /** The holder's console shows the shell (opening, or coming back); it is no observer then. Returns the console it replaces. */
  drive(console: C): C | null {
    const previous = this.driver !== console ? this.driver : null;
    this.watching.delete(console);
    if (this.pending?.by === console) this.pending = null;
    this.driver = console;
    return previous;
  }

  /** A console leaves the shell (page gone, detached); a take-over it asked for is withdrawn and returned. */
  leave(console: C): { was: 'driver' | 'observer' | null; withdrawn: Takeover<C> | null } {
    const was = this.roleOf(console);
    if (was === 'driver') this.driver = null;
    this.watching.delete(console);
    const withdrawn = this.pending?.by === console ? this.pending : null;
    if (withdrawn) this.pending = null;
    return { was, withdrawn };
  }

  /** An observer asks for the keyboard; one request at a time per shell. */
  ask(console: C, requestId: string, ticket: string): AskOutcome {
    const person = this.watching.get(console);
    if (!person) return 'not-observer';
    if (this.pending) return 'pending';
    this.pending = { by: console, person, requestId, ticket };
    return 'asked';
  }

  /**
   * The person answered a take-over. On yes the requester becomes holder and driver,
   * and the console that drove until now (if any) watches instead.
   */
  answer(ticket: string, decision: ConsentDecision): AnswerOutcome<C> {
    const takeover = this.pending;
    if (!takeover || takeover.ticket !== ticket) return { kind: 'stale' };
    this.pending = null;
    if (decision !== 'granted') return { kind: 'refused', takeover, decision };
    if (!this.watching.has(takeover.by)) return { kind: 'stale' };
    // The driver's console is always the holder's: it watches on as the holder it was.
    const previous = this.driver;
    const formerHolder = this.holder;
    this.watching.delete(takeover.by);
    this.holder = takeover.person;
    this.driver = takeover.by;
    if (previous !== null) this.watching.set(previous, formerHolder);
    return { kind: 'granted', takeover, previous };
  }

  /** Who is here, as everyone is told. */
  view(): { holder: Person; holderHere: boolean; observers: Person[] } {
    return { holder: this.holder, holderHere: this.driver !== null, observers: [...this.watching.values()] };
  }
}
