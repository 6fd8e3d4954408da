/**
 * Routes chat between the technician's console, the person's agent and the support page:
 * every message is stored first (ChatStore), then shown everywhere it belongs. Text is
 * only ever shown, never run; its bounds are the protocol's (chatText).
 */
import { RelaisError, chatText, type ControllerToConsole, type Person } from '../../../protocol/index.js';
import type { AuditLog } from '../audit/audit.js';
import type { AgentLinks } from '../relay/agent-links.js';
import { ChatPace } from './chat-pace.js';
import type { ChatMessageView, ChatStore } from './chat-store.js';
import { quietLog, type Log } from '../observability/logger.js';

export type ChatNotice = Extract<ControllerToConsole, { t: 'chat.message' }>;

export class ChatService {
  private readonly listeners = new Set<(notice: ChatNotice, remote: boolean) => void>();

  constructor(
    private readonly store: ChatStore,
    private readonly links: Pick<AgentLinks, 'get' | 'send'>,
    private readonly audit: AuditLog,
    private readonly log: Log = quietLog,
    private readonly pace: ChatPace = new ChatPace(),
  ) {}

  /** Hears every stored message (the console hub tells every console); `remote`: stored by another cluster node. */
  onMessage(listener: (notice: ChatNotice, remote: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Another cluster node stored a message: this node's consoles hear it too. */
  heardRemote(notice: ChatNotice): void {
    this.notify(notice, true);
  }

  /** A technician writes to the person at `deviceId`: the device must be online in a support session. */
  async fromTechnician(technician: Person, deviceId: string, text: string): Promise<ChatMessageView> {
    const link = this.links.get(deviceId);
    if (!link || link.peer.closed) throw new RelaisError('SHELL_ERR_DEVICE_OFFLINE');
    if (link.sessionId === null) throw new RelaisError('CHAT_ERR_NO_SESSION');
    if (!this.pace.take(`technician:${technician.username}:${deviceId}`)) throw new RelaisError('CHAT_ERR_TOO_FAST');
    const stored = await this.store.add({ sessionId: link.sessionId, deviceId, side: 'technician', author: technician.username, authorName: technician.name, text });
    this.links.send(deviceId, { t: 'chat.message', from: technician, text, at: stored.at });
    this.audit.note({ actor: technician.username, action: 'chat.sent', target: link.sessionId, detail: { deviceId, chars: text.length } });
    this.tell(deviceId, stored);
    return stored;
  }

  /** The person answers, at the agent or on the support page. */
  async fromPerson(sessionId: string, deviceId: string, text: string, where: 'agent' | 'page'): Promise<ChatMessageView> {
    if (!this.pace.take(`person:${sessionId}`)) throw new RelaisError('CHAT_ERR_TOO_FAST');
    const stored = await this.store.add({ sessionId, deviceId, side: 'person', author: null, authorName: null, text });
    this.audit.note({ actor: `device:${deviceId}`, action: 'chat.sent', target: sessionId, detail: { deviceId, chars: text.length, where } });
    this.tell(deviceId, stored);
    return stored;
  }

  private tell(deviceId: string, m: ChatMessageView): void {
    this.notify({ t: 'chat.message', deviceId, from: m.from, text: m.text, at: m.at, side: m.side }, false);
  }

  private notify(notice: ChatNotice, remote: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(notice, remote);
      } catch (err) {
        this.log.warn({ err }, 'chat: a listener failed');
      }
    }
  }
}

/** Text from outside the socket schemas (the support page's form): one clean line, or CHAT_ERR_INVALID_TEXT. */
export function chatLine(value: unknown): string {
  if (typeof value !== 'string') throw new RelaisError('CHAT_ERR_INVALID_TEXT');
  const line = value.trim();
  if (!chatText.safeParse(line).success) throw new RelaisError('CHAT_ERR_INVALID_TEXT');
  return line;
}
