/**
 * The recording routes' queries and answers (issue 10, "Recordings"), shared like
 * rest-ticket-answers.ts: the controller types what it sends with them, the web UI may
 * validate what it receives. The README's REST table describes the routes.
 */
import { z } from 'zod';
import { pageCursor } from './devices.js';
import { id, timestamp } from './fields.js';

/** GET /api/recordings: by device or by ticket number (or every recording), newest first. */
export const recordingQuery = z
  .object({
    deviceId: id.optional(),
    ticket: z.string().regex(/^#?[1-9][0-9]{0,8}$/).transform((t) => Number(t.replace('#', ''))).optional(),
    cursor: pageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type RecordingQuery = z.infer<typeof recordingQuery>;

/**
 * One recording. `state`: `recording` while the shell runs, `closed` once it ended,
 * `failed` when the disk refused it, `interrupted` when the controller stopped without
 * closing it (the file holds what was written up to the last second).
 */
export const recordingView = z.object({
  id,
  deviceId: z.string(),
  channel: z.number().int().min(1),
  technician: z.string(),
  sessionId: z.string().nullable(),
  ticketNumber: z.number().int().nullable(),
  startedAt: timestamp,
  endedAt: timestamp.nullable(),
  bytes: z.number().int().min(0),
  truncated: z.boolean(),
  state: z.enum(['recording', 'closed', 'failed', 'interrupted']),
});
export type RecordingView = z.infer<typeof recordingView>;

export const recordingAnswers = {
  list: z.object({ recordings: z.array(recordingView), nextCursor: pageCursor.nullable() }),
  one: z.object({ recording: recordingView }),
};
