/** REST contract of the chat history (GET /api/devices/:id/chat), shared by the controller and the web UI. */
import { z } from 'zod';
import { text, timestamp } from './fields.js';
import { chatSide, chatText } from './messages.js';

export const chatMessageView = z.object({
  id: z.number().int().min(1),
  at: timestamp,
  side: chatSide,
  /** The technician's name; null for the person. */
  from: text(128).nullable(),
  text: chatText,
});
export type ChatMessageView = z.infer<typeof chatMessageView>;

/** `?before=ID&limit=N`: a page of at most 100, newest first. */
export const chatQuery = z.object({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const chatAnswers = {
  /** GET /api/devices/:id/chat. */
  page: z.object({ messages: z.array(chatMessageView).max(100), nextCursor: z.string().max(32).nullable() }),
  /** GET /s/:code/chat?after=ID (the support page's poll): oldest first. */
  since: z.object({ messages: z.array(chatMessageView).max(100), open: z.boolean() }),
};
