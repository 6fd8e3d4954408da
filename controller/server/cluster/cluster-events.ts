/**
 * What the nodes of a cluster tell each other through Redis pub/sub, each event checked
 * against its schema on arrival (a node trusts Redis no more than a socket). Every event
 * carries the id of the node that sent it; a node ignores its own.
 */
import { z } from 'zod';
import { controllerToConsole, deviceView, id, jobSummary, run, runOutputMessage, type ControllerToConsole } from '../../../protocol/index.js';

export const nodeId = z.string().regex(/^[A-Za-z0-9._:@-]{1,64}$/);

/** Which node holds a device's agent link, and what a remote node needs to relay to it. */
export const holder = z.object({
  node: nodeId,
  sessionId: id.nullable(),
  consentTimeoutMs: z.number().int().positive().max(3_600_000).optional(),
  since: z.number().int().min(0),
});
export type Holder = z.infer<typeof holder>;

/** The console message of that type, with its own schema (one copy of each rule: protocol's). */
function consoleMessage<T extends ControllerToConsole['t']>(t: T): z.ZodType<Extract<ControllerToConsole, { t: T }>> {
  const schema = controllerToConsole.options.find((o) => o.shape.t.value === t);
  if (!schema) throw new Error(`no console message "${t}"`);
  return schema as unknown as z.ZodType<Extract<ControllerToConsole, { t: T }>>;
}
const ticketEvent = consoleMessage('ticket.event');
const chatMessage = consoleMessage('chat.message');

export const THROTTLES = ['agent', 'enroll', 'api', 'login-address', 'login-account'] as const;
export type ThrottleName = (typeof THROTTLES)[number];

export const clusterEvent = z.discriminatedUnion('t', [
  /** A device's agent link moved: held by `holder.node`, or by nobody (null). */
  z.object({ t: z.literal('presence'), deviceId: id, holder: holder.nullable() }),
  /** A device's row changed on the node that saw the change. */
  z.object({ t: z.literal('device'), view: deviceView }),
  z.object({ t: z.literal('device.removed'), deviceId: id }),
  /** A snapshot was stored: consoles waiting for `requestId` read it from the store. */
  z.object({ t: z.literal('diagnosed'), deviceId: id, snapshotId: z.number().int().min(1), requestId: id.nullable() }),
  /** Asks the node holding a device to end its session or let it go as revoked. */
  z.object({ t: z.literal('device.command'), deviceId: id, command: z.enum(['end', 'revoke']), reason: z.string().max(256) }),
  /** A job was created or cancelled: every node dispatches it to the devices it holds. */
  z.object({ t: z.literal('job.created'), jobId: id }),
  z.object({ t: z.literal('job.cancelled'), jobId: id }),
  z.object({ t: z.literal('job'), job: jobSummary }),
  z.object({ t: z.literal('run'), jobId: id, run: run.omit({ stdout: true, stderr: true }) }),
  runOutputMessage,
  z.object({ t: z.literal('ticket'), message: ticketEvent, accountIds: z.array(z.number().int().min(1)).max(10_000) }),
  z.object({ t: z.literal('chat'), message: chatMessage }),
  /** A failure counted, or a key forgiven, in one of the throttles every node keeps. */
  z.object({ t: z.literal('throttle'), name: z.enum(THROTTLES), key: z.string().min(1).max(512), kind: z.enum(['fail', 'reset']) }),
]);
export type ClusterEvent = z.infer<typeof clusterEvent>;

/** The most events one published text carries (a node publishes what it produced in one turn together). */
export const MAX_EVENTS_PER_ENVELOPE = 500;

export const clusterEnvelope = z.union([
  z.object({ from: nodeId, event: clusterEvent }),
  z.object({ from: nodeId, events: z.array(clusterEvent).min(1).max(MAX_EVENTS_PER_ENVELOPE) }),
]);
export type ClusterEnvelope = z.infer<typeof clusterEnvelope>;

/** The events an envelope carries, in the order they were published. */
export function eventsOf(envelope: ClusterEnvelope): readonly ClusterEvent[] {
  return 'events' in envelope ? envelope.events : [envelope.event];
}

/** An envelope from its JSON text, or null (logged by the caller) when it is not one. */
export function readEnvelope(text: string): ClusterEnvelope | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = clusterEnvelope.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
