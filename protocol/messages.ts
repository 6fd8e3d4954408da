/**
 * Control messages: JSON text frames `{"t": "<type>", ...}`, one discriminated
 * union per direction, validated on arrival by every side.
 */
import { z } from 'zod';
import { FINDING_LIMITS, SEVERITIES } from './findings.js';
import { deviceListItem } from './devices.js';
import {
  jobAckMessage, jobCancelMessage, jobOutputMessage, jobResultMessage, jobRunMessage, jobStartedMessage, jobUnwatchMessage,
  jobUpdateMessage, jobWatchMessage, runOutputMessage, runUpdateMessage,
} from './jobs.js';
import { authNonce, authSignature, unattendedPolicy } from './fleet.js';
import { snapshot } from './snapshot.js';
import { surveyAnswerMessage, surveyAskMessage } from './satisfaction-model.js';
import { FILE_MESSAGES } from './file-transfer.js';
import { LIMITS } from './limits.js';
import {
  channelId, cols, consentDecision, deviceSummary, errorBody, id, person, rows, shellCloseReason,
  shellMode, supportCode, text, timestamp, token, version,
} from './fields.js';
import { sharingConsoleMessages, sharingFromAgentMessages, sharingToAgentMessages, sharingToConsoleMessages, shellRole } from './shell-sharing.js';

/** The person's one line about their problem (agent prompt, support page): at most this many characters. */
export const PROBLEM_MAX_CHARS = 300;
/** Tickets one console may watch at once. */
export const MAX_WATCHED_TICKETS = 16;
/** One chat message between the technician and the person: plain text on one line, at most this many characters. */
export const CHAT_MAX_CHARS = 2000;

/** A chat message's text: plain (no control characters, no line breaks, nothing reordering), bounded, never executed. */
export const chatText = text(CHAT_MAX_CHARS).refine((value) => value.trim().length > 0, 'must not be empty');
/** Who wrote a chat message: the technician (from the console) or the person (at the agent or on the support page). */
export const chatSide = z.enum(['technician', 'person']);

const ticketNumber = z.number().int().min(1).max(2 ** 31);

const errorMsg = errorBody.extend({ t: z.literal('error') });

// ---- agent → controller -------------------------------------------------

export const agentHello = z.object({
  t: z.literal('hello'),
  v: version,
  role: z.literal('agent'),
  auth: z.discriminatedUnion('kind', [
    /** `problem`: the person's own line about what is wrong, asked before joining (optional). */
    z.object({ kind: z.literal('code'), code: supportCode, problem: text(PROBLEM_MAX_CHARS).optional() }),
    z.object({ kind: z.literal('resume'), token }),
    // A managed device: the controller answers with auth.challenge, the device signs it with its key.
    z.object({ kind: z.literal('device'), deviceId: id }),
  ]),
  agent: z.object({ version: text(32), platform: text(32), arch: text(32), hostname: text(255) }),
  /** A managed device's local policy, as read from its policy file (reported, never written, by the controller). */
  policy: unattendedPolicy.optional(),
  /** How long the person has to answer a shell request, when the agent asks one (absent: unknown, or nobody to ask). */
  consentTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
});

export const agentToController = z.discriminatedUnion('t', [
  agentHello,
  /** The device's answer to auth.challenge: an Ed25519 signature over deviceAuthMessage(). */
  z.object({ t: z.literal('auth.response'), signature: authSignature }),
  z.object({ t: z.literal('device.summary'), summary: deviceSummary }),
  z.object({ t: z.literal('shell.consent'), channel: channelId, decision: consentDecision }),
  z.object({ t: z.literal('shell.opened'), channel: channelId, mode: shellMode, user: text(128), shell: text(255) }),
  z.object({ t: z.literal('shell.closed'), channel: channelId, reason: shellCloseReason, exitCode: z.number().int().nullable() }),
  z.object({ t: z.literal('session.end'), reason: z.enum(['user']) }),
  z.object({ t: z.literal('diagnostics.snapshot'), requestId: id.nullable(), snapshot }),
  jobStartedMessage,
  jobOutputMessage,
  jobResultMessage,
  /** The person answers the technician's chat (typed at the agent). */
  z.object({ t: z.literal('chat.reply'), text: chatText }),
  // Two technicians on one shell (shell-sharing.ts).
  ...sharingFromAgentMessages,
  /** The person rates the resolved ticket of this session (or says it is not solved). */
  surveyAnswerMessage,
  // ---- file transfers (file-transfer.ts) ----
  ...FILE_MESSAGES.fromAgent,
  errorMsg,
]);
export type AgentToController = z.infer<typeof agentToController>;

// ---- controller → agent -------------------------------------------------

export const controllerToAgent = z.discriminatedUnion('t', [
  /** Sent to a managed device after its hello: sign this nonce (fresh per connection, valid once, briefly). */
  z.object({ t: z.literal('auth.challenge'), nonce: authNonce }),
  z.object({
    t: z.literal('welcome'),
    v: version,
    /** The support session; null for a managed device, which has none. */
    sessionId: id.nullable(),
    deviceId: id,
    /** Attended agents resume with it; null for a managed device, which re-authenticates with its key. */
    resumeToken: token.nullable(),
    controller: z.object({ name: text(128), organization: text(128), url: text(512) }),
    /** Who the support session is with; null for a managed device. */
    technician: person.nullable(),
    heartbeatMs: z.number().int().min(1000).max(600_000),
  }),
  z.object({
    t: z.literal('shell.open'), channel: channelId, cols, rows, requestedBy: person, window: z.number().int().min(1024).max(64 * 1024 * 1024),
    /** The controller records this shell (asciicast); the consent question says so. Absent: false. */
    recorded: z.boolean().optional(),
  }),
  z.object({ t: z.literal('shell.resize'), channel: channelId, cols, rows }),
  z.object({ t: z.literal('shell.close'), channel: channelId, reason: shellCloseReason }),
  z.object({ t: z.literal('session.end'), reason: text(256) }),
  z.object({ t: z.literal('diagnostics.request'), requestId: id }),
  jobRunMessage,
  jobCancelMessage,
  jobAckMessage,
  /** A chat message from the technician, shown on the person's terminal (never run). */
  z.object({ t: z.literal('chat.message'), from: person, text: chatText, at: timestamp }),
  // Two technicians on one shell (shell-sharing.ts).
  ...sharingToAgentMessages,
  /** The ticket of this session was resolved: ask the person to rate it (they may skip). */
  surveyAskMessage,
  // ---- file transfers (file-transfer.ts) ----
  ...FILE_MESSAGES.toAgent,
  errorMsg,
]);
export type ControllerToAgent = z.infer<typeof controllerToAgent>;

// ---- console (browser) → controller ------------------------------------

export const consoleToController = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), v: version, role: z.literal('console') }),
  z.object({ t: z.literal('shell.open'), requestId: id, deviceId: id, cols, rows }),
  z.object({ t: z.literal('shell.resize'), channel: channelId, cols, rows }),
  z.object({ t: z.literal('shell.close'), channel: channelId }),
  /** Which shells of this device are still open on the controller (its answer: shell.live). */
  z.object({ t: z.literal('shell.list'), requestId: id, deviceId: id }),
  /** Binds a live shell to this console: the controller answers shell.attached, then its scrollback, then live output. */
  z.object({ t: z.literal('shell.attach'), requestId: id, channel: channelId, cols, rows }),
  /** The page leaves: the shell stays open on the agent for the grace period, without a console. */
  z.object({ t: z.literal('shell.detach'), channel: channelId }),
  z.object({ t: z.literal('diagnostics.refresh'), requestId: id, deviceId: id }),
  jobWatchMessage,
  jobUnwatchMessage,
  /** Live timeline of a ticket while its page is open (at most MAX_WATCHED_TICKETS per console). */
  z.object({ t: z.literal('ticket.watch'), number: ticketNumber }),
  z.object({ t: z.literal('ticket.unwatch'), number: ticketNumber }),
  /** A chat message to the person at this device (an attended session). */
  z.object({ t: z.literal('chat.send'), deviceId: id, text: chatText }),
  // Two technicians on one shell (shell-sharing.ts).
  ...sharingConsoleMessages,
  // ---- file transfers (file-transfer.ts) ----
  ...FILE_MESSAGES.fromConsole,
]);
export type ConsoleToController = z.infer<typeof consoleToController>;

// ---- controller → console ----------------------------------------------


/** One shell still open on the controller, as listed for reattaching. */
export const liveShell = z.object({
  channel: channelId,
  mode: shellMode,
  user: text(128),
  shell: text(255),
  technician: person,
  openedAt: timestamp,
  /** A console shows it now (another tab); attaching takes it over. */
  attached: z.boolean(),
});
export type LiveShell = z.infer<typeof liveShell>;

export const controllerToConsole = z.discriminatedUnion('t', [
  z.object({ t: z.literal('welcome'), v: version, user: person }),
  // Changes, never the world: the list itself is paged over REST (GET /api/devices).
  z.object({ t: z.literal('device.update'), device: deviceListItem }),
  z.object({ t: z.literal('device.removed'), deviceId: id }),
  // timeoutMs: how long the person has to answer, when the agent told the controller (a countdown for the technician).
  z.object({ t: z.literal('shell.pending'), requestId: id, channel: channelId, deviceId: id, timeoutMs: z.number().int().min(0).max(3_600_000).optional() }),
  z.object({ t: z.literal('shell.consent'), channel: channelId, decision: consentDecision }),
  z.object({ t: z.literal('shell.opened'), channel: channelId, mode: shellMode, user: text(128), shell: text(255), window: z.number().int().min(1024) }),
  z.object({ t: z.literal('shell.closed'), channel: channelId, reason: shellCloseReason, exitCode: z.number().int().nullable() }),
  // The live shells of a device this console may attach to, oldest first (at most one agent's channels).
  z.object({
    t: z.literal('shell.live'),
    requestId: id,
    deviceId: id,
    shells: z.array(liveShell).max(LIMITS.maxChannelsPerConnection),
  }),
  // The shell is bound to this console; `scrollbackBytes` of recent output follow as DATA frames, then live output.
  z.object({
    t: z.literal('shell.attached'), requestId: id, channel: channelId, deviceId: id, mode: shellMode, user: text(128), shell: text(255),
    window: z.number().int().min(1024), scrollbackBytes: z.number().int().min(0).max(LIMITS.maxScrollbackBytes),
    /** Absent: driver (the console types). An observer only watches (shell-sharing.ts); cols × rows is the shell's size then. */
    role: shellRole.optional(), cols: cols.optional(), rows: rows.optional(),
  }),
  // Another console (the same technician's other tab, or an admin) took this shell: this one no longer shows it.
  z.object({ t: z.literal('shell.detached'), channel: channelId }),
  // A new snapshot was stored: a bounded notice; the page fetches the snapshot itself over REST.
  z.object({
    t: z.literal('device.diagnostics'),
    deviceId: id,
    requestId: id.nullable(),
    snapshotId: z.number().int().min(1),
    takenAt: timestamp,
    worst: z.enum(SEVERITIES).nullable(),
    findingCount: z.number().int().min(0).max(FINDING_LIMITS.perSnapshot),
  }),
  z.object({ t: z.literal('diagnostics.pending'), requestId: id, deviceId: id }),
  jobUpdateMessage,
  runUpdateMessage,
  runOutputMessage,
  // A new event on a watched ticket: a bounded notice (no data); the page reads the event over REST (timeline after its cursor).
  z.object({
    t: z.literal('ticket.event'),
    number: ticketNumber,
    event: z.object({
      id: z.number().int().min(1),
      at: timestamp,
      kind: text(32),
      actor: text(64).nullable(),
      visibility: z.enum(['internal', 'person']),
    }),
  }),
  /** A chat message on a device's support session, either side's (history is paged over REST). */
  z.object({
    t: z.literal('chat.message'),
    deviceId: id,
    /** The technician's name, or the device's person (null: the page says "the person"). */
    from: text(128).nullable(),
    text: chatText,
    at: timestamp,
    side: chatSide,
  }),
  // Two technicians on one shell (shell-sharing.ts).
  ...sharingToConsoleMessages,
  // ---- file transfers (file-transfer.ts) ----
  ...FILE_MESSAGES.toConsole,
  errorMsg.extend({ requestId: id.optional() }),
]);
export type ControllerToConsole = z.infer<typeof controllerToConsole>;

export type AnyMessage = AgentToController | ControllerToAgent | ConsoleToController | ControllerToConsole;
