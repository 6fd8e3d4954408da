/**
 * Two technicians on one shell: a second technician watches a live shell read-only
 * (an observer), everyone on the device and the person at the machine are told who
 * is there, and an observer takes the keyboard only with the person's fresh yes.
 * Kept apart from messages.ts (which spreads these into its unions) so each concern
 * reads on its own; every list is bounded.
 */
import { z } from 'zod';
import { channelId, cols, consentDecision, id, person, rows } from './fields.js';
import { LIMITS } from './limits.js';

/** Observers one shell accepts at once (the holder of the keyboard aside). */
export const MAX_OBSERVERS_PER_SHELL = 8;
/** Devices one console follows the presence of at once (a device page, a shell tab). */
export const MAX_PRESENCE_WATCHES = 16;

/** A console's part in a shell: the driver types (the person said yes to them), an observer only watches. */
export const shellRole = z.enum(['driver', 'observer']);
export type ShellRole = z.infer<typeof shellRole>;

/** Who is on one shell of a device. */
export const shellPresence = z.object({
  channel: channelId,
  /** The technician who has the keyboard: the one the person said yes to (at opening, or at a take-over). */
  holder: person,
  /** False while the holder's page is away (the shell waits for it, grace period). */
  holderHere: z.boolean(),
  observers: z.array(person).max(MAX_OBSERVERS_PER_SHELL),
  /** The shell's terminal size: an observer's terminal takes it so lines wrap as the driver sees them. */
  cols,
  rows,
});
export type ShellPresence = z.infer<typeof shellPresence>;

// ---- console → controller ---------------------------------------------------

export const sharingConsoleMessages = [
  /** Watch a live shell read-only: the controller answers shell.attached (role observer), its scrollback, then live output. */
  z.object({ t: z.literal('shell.observe'), requestId: id, channel: channelId }),
  /** An observer asks for the keyboard: the agent asks the person, afresh. */
  z.object({ t: z.literal('shell.takeover'), requestId: id, channel: channelId }),
  /** Follow who is on a device (its page is open): answered at once with device.presence, then on each change. */
  z.object({ t: z.literal('presence.watch'), deviceId: id }),
  z.object({ t: z.literal('presence.unwatch'), deviceId: id }),
] as const;

// ---- controller → console ---------------------------------------------------

export const sharingToConsoleMessages = [
  /** Who is on each live shell of a device, whole each time (bounded: a device's channels × its observers). */
  z.object({ t: z.literal('device.presence'), deviceId: id, shells: z.array(shellPresence).max(LIMITS.maxChannelsPerConnection) }),
  /** The person is being asked to hand this console the keyboard; `timeoutMs` as for shell.pending. */
  z.object({ t: z.literal('shell.takeover.pending'), requestId: id, channel: channelId, timeoutMs: z.number().int().min(0).max(3_600_000).optional() }),
  /** The person's answer to this console's take-over request. On `granted` this console drives from now on. */
  z.object({ t: z.literal('shell.takeover.result'), requestId: id, channel: channelId, decision: consentDecision }),
  /** This console's part in a shell changed (a take-over): an observer's keystrokes and resizes are refused. `holder` has the keyboard now. */
  z.object({ t: z.literal('shell.role'), channel: channelId, role: shellRole, holder: person, cols, rows }),
  /** An observer fell further behind than the shell's scrollback: this many bytes of output were not sent to it. */
  z.object({ t: z.literal('shell.skipped'), channel: channelId, bytes: z.number().int().min(1) }),
] as const;

// ---- controller → agent -----------------------------------------------------

export const sharingToAgentMessages = [
  /** Who is on a shell now: the agent tells the person who started or stopped watching, and who has the keyboard. */
  z.object({ t: z.literal('shell.viewers'), channel: channelId, holder: person, observers: z.array(person).max(MAX_OBSERVERS_PER_SHELL) }),
  /** An observer asks for the keyboard of an open shell: ask the person, afresh (default no, timeout no). */
  z.object({ t: z.literal('shell.takeover'), channel: channelId, requestId: id, requestedBy: person, holder: person }),
  /** The request went away unanswered (its technician left, or the shell ended). */
  z.object({ t: z.literal('shell.takeover.cancel'), channel: channelId, requestId: id }),
] as const;

// ---- agent → controller -----------------------------------------------------

export const sharingFromAgentMessages = [
  z.object({ t: z.literal('shell.takeover.answer'), channel: channelId, requestId: id, decision: consentDecision }),
] as const;
