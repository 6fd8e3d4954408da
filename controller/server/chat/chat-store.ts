/**
 * Chat between the technician and the person (issue 15, point 4): plain, bounded text,
 * stored with the support session, read back page by page, never executed. When the
 * session's link belongs to a ticket, each message goes on its timeline too, and the person's
 * answer ends the ticket's wait for the user.
 */
import type { Db } from '../store/database.js';
import { quietLog, type Log } from '../observability/logger.js';

export type ChatSide = 'technician' | 'person';

export interface ChatMessageView {
  readonly id: number;
  readonly at: number;
  readonly side: ChatSide;
  /** The technician's name; null for the person. */
  readonly from: string | null;
  readonly text: string;
}

/** Where a copy of each message goes when the session's link belongs to a ticket. */
export interface ChatTimeline {
  sessionEvent(sessionId: string, kind: 'chat', actor: string | null, data: Record<string, unknown>): Promise<number | null>;
  /** The person wrote: a ticket waiting for the user is waiting no more. */
  personReplied(sessionId: string): Promise<number | null>;
}

/** Messages one history page holds at most. */
export const CHAT_PAGE_MAX = 100;

export class ChatStore {
  constructor(
    private readonly db: Db,
    private readonly timeline?: ChatTimeline,
    private readonly now: () => number = Date.now,
    private readonly log: Log = quietLog,
  ) {}

  /** Stores one message (the text was validated by its schema) and returns it as the consoles see it. */
  async add(input: { sessionId: string; deviceId: string; side: ChatSide; author: string | null; authorName: string | null; text: string }): Promise<ChatMessageView> {
    const at = this.now();
    const { id } = await this.db
      .insertInto('chat_messages')
      .values({ session_id: input.sessionId, device_id: input.deviceId, at, side: input.side, author: input.author, author_name: input.authorName, text: input.text })
      .returning('id')
      .executeTakeFirstOrThrow();
    const view: ChatMessageView = { id, at, side: input.side, from: input.authorName, text: input.text };
    try {
      await this.timeline?.sessionEvent(input.sessionId, 'chat', input.author, { side: input.side, from: input.authorName, text: input.text, deviceId: input.deviceId });
      if (input.side === 'person') await this.timeline?.personReplied(input.sessionId);
    } catch (err) {
      this.log.error({ err }, 'chat: a message could not go on its ticket');
    }
    return view;
  }

  /** A device's chat, newest first, `limit` at most, before message `before` (a cursor from the previous page). */
  async page(deviceId: string, before: number | undefined, limit: number): Promise<{ messages: ChatMessageView[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('chat_messages').selectAll().where('device_id', '=', deviceId);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
    const messages = rows.slice(0, limit).map(toView);
    return { messages, nextCursor: rows.length > limit ? String(messages[messages.length - 1]!.id) : null };
  }

  /** A session's chat after message `after`, oldest first (the support page polls it). */
  async since(sessionId: string, after: number, limit = CHAT_PAGE_MAX): Promise<ChatMessageView[]> {
    const rows = await this.db.selectFrom('chat_messages').selectAll().where('session_id', '=', sessionId).where('id', '>', after).orderBy('id', 'asc').limit(limit).execute();
    return rows.map(toView);
  }
}

function toView(row: { id: number; at: number; side: ChatSide; author_name: string | null; text: string }): ChatMessageView {
  return { id: row.id, at: row.at, side: row.side, from: row.author_name, text: row.text };
}
