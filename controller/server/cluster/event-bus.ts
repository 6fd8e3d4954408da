/**
 * The cluster's events over Redis pub/sub: published with this node's id, checked on arrival, a
 * node's own ignored. The events a node produces in one turn of its event loop (a job's runs
 * changing on a thousand devices) leave together in one published text, in order.
 */
import type { Log } from '../observability/logger.js';
import { eventsOf, MAX_EVENTS_PER_ENVELOPE, readEnvelope, type ClusterEvent } from './cluster-events.js';
import type { ClusterStore } from './cluster-store.js';

/** Events are gathered into one text up to about this size (one event larger than it goes alone). */
const ENVELOPE_BYTES = 256 * 1024;

export type ClusterListener = (event: ClusterEvent, from: string) => void;

export class EventBus {
  private readonly listeners = new Set<ClusterListener>();

  constructor(private readonly store: Pick<ClusterStore, 'publish' | 'subscribe'>, readonly nodeId: string, private readonly log: Log) {}

  async start(): Promise<void> {
    await this.store.subscribe((text) => this.receive(text));
  }

  /** Tells the other nodes; a failure is logged (Redis away: the nodes catch up from the store). */
  publish(event: ClusterEvent): void {
    this.outbox.push(event);
    if (this.outbox.length === 1) setImmediate(() => this.flush());
  }

  private readonly outbox: ClusterEvent[] = [];

  /** Publishes the outbox in texts of at most MAX_EVENTS_PER_ENVELOPE events and about ENVELOPE_BYTES. */
  private flush(): void {
    const events = this.outbox.splice(0);
    let batch: string[] = [];
    let bytes = 0;
    const send = (): void => {
      const text = batch.length === 1 ? `{"from":${JSON.stringify(this.nodeId)},"event":${batch[0]}}` : `{"from":${JSON.stringify(this.nodeId)},"events":[${batch.join(',')}]}`;
      const count = batch.length;
      this.store.publish(text).catch((err: unknown) => this.log.warn({ err, events: count }, 'cluster: events were not published'));
      batch = [];
      bytes = 0;
    };
    for (const event of events) {
      const json = JSON.stringify(event);
      if (batch.length > 0 && (batch.length >= MAX_EVENTS_PER_ENVELOPE || bytes + json.length > ENVELOPE_BYTES)) send();
      batch.push(json);
      bytes += json.length;
    }
    if (batch.length > 0) send();
  }

  on(listener: ClusterListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands one published text to the listeners; exported for tests through the fake store. */
  private receive(text: string): void {
    const envelope = readEnvelope(text);
    if (!envelope) return void this.log.warn({ bytes: text.length }, 'cluster: an event that is not one of ours was ignored');
    if (envelope.from === this.nodeId) return;
    for (const event of eventsOf(envelope)) {
      for (const listener of this.listeners) {
        try {
          listener(event, envelope.from);
        } catch (err) {
          this.log.error({ err, event: event.t, from: envelope.from }, 'cluster: handling an event failed');
        }
      }
    }
  }
}
