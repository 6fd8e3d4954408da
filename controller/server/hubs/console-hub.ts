/** `/ws/console`: technicians' browsers, already authenticated by session cookie and Origin at the upgrade. */
import type { WebSocket } from 'ws';
import {
  MAX_WATCHED_TICKETS, PROTOCOL_VERSION, RelaisError, SUPPORTED_VERSIONS, consoleToController, type ConsoleToController, type ControllerToConsole,
} from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import type { ChatService } from '../chat/chat-service.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { FileTransfers } from '../files/file-transfers.js';
import type { JobWatch } from './job-watch.js';
import type { ConsoleLink } from '../relay/links.js';
import type { Relay } from '../relay/relay.js';
import type { Log } from '../observability/logger.js';
import { NO_METRICS, type Meter } from '../observability/metrics.js';
import { deviceEventMessage, diagnosticsNotice } from './console-messages.js';
import { PeerSocket } from './peer-socket.js';

/** Where the live timeline comes from: the ticket store's committed events. */
export interface TicketEvents {
  /** `accountIds`: the ticket's assignee and followers, who hear its events without watching it. */
  onEvent(listener: (notice: { number: number; event: Extract<ControllerToConsole, { t: 'ticket.event' }>['event']; accountIds: readonly number[] }) => void): () => void;
}

export class ConsoleHub {
  private readonly links = new Set<ConsoleLink>();
  /** The tickets each console watches (its page is open), at most MAX_WATCHED_TICKETS each. */
  private readonly watchedTickets = new Map<ConsoleLink, Set<number>>();

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly relay: Relay,
    private readonly heartbeatMs: number,
    private readonly requestDiagnostics: (deviceId: string, requestId: string) => boolean,
    private readonly jobs: JobWatch,
    tickets?: TicketEvents,
    private readonly chat?: ChatService,
    /** Counts the errors sent to consoles, by code. */
    private readonly meter: Pick<Meter, 'refused'> = NO_METRICS,
    private readonly files?: FileTransfers,
  ) {
    // Every console hears every chat message (like device changes); the device page shows its own device's.
    chat?.onMessage((notice) => {
      for (const link of this.links) {
        try {
          link.peer.send(notice);
        } catch (err) {
          link.peer.logger.warn({ err }, 'chat: chat.message not sent to a console');
        }
      }
    });
    tickets?.onEvent(({ number, event, accountIds }) => {
      for (const [link, watched] of this.watchedTickets) {
        if (!watched.has(number) && !accountIds.includes(link.account.id)) continue;
        try {
          link.peer.send({ t: 'ticket.event', number, event });
        } catch (err) {
          link.peer.logger.warn({ err }, 'tickets: ticket.event not sent to a console');
        }
      }
    });
  }

  /** Takes a technician's console; `log` carries its request id, address and account. */
  async accept(ws: WebSocket, ip: string, account: Account, log: Log): Promise<void> {
    const peer = new PeerSocket<ConsoleToController, ControllerToConsole>(ws, consoleToController, ip, 'console', { log, onRefused: (code) => this.meter.refused(code) });
    let hello: ConsoleToController;
    try {
      hello = await peer.awaitHello(10_000);
    } catch (err) {
      if (err instanceof RelaisError) return peer.fail(err.code, err.detail);
      throw err;
    }
    if (hello.t !== 'hello') return peer.fail('PROTO_ERR_HELLO_REQUIRED');
    if (!SUPPORTED_VERSIONS.includes(hello.v)) {
      return peer.fail('PROTO_ERR_VERSION_MISMATCH', `The controller speaks version ${SUPPORTED_VERSIONS.join(', ')}; this page speaks ${hello.v}. Reload the page.`);
    }
    const link: ConsoleLink = { peer, account, channels: new Set() };
    this.links.add(link);
    this.watchedTickets.set(link, new Set());
    // Changes only, each a bounded message: the list itself is paged over REST.
    const unsubscribeDevices = this.devices.onChange((event) => peer.send(deviceEventMessage(event)));
    const unsubscribeDiagnostics = this.devices.onDiagnostics((stored, requestId) => peer.send(diagnosticsNotice(stored, requestId)));
    const unsubscribeJobs = this.jobs.connect(link.peer);
    peer.attach(
      {
        onMessage: (message) => this.handle(link, message),
        onBinary: (frame) => this.relay.consoleBinary(link, frame),
        onClose: (code) => {
          peer.logger.info({ closeCode: code }, 'console disconnected');
          unsubscribeJobs();
          unsubscribeDevices();
          unsubscribeDiagnostics();
          this.links.delete(link);
          this.watchedTickets.delete(link);
          this.relay.consoleGone(link);
          this.files?.consoleGone(link);
        },
      },
      this.heartbeatMs,
    );
    peer.send({ t: 'welcome', v: PROTOCOL_VERSION, user: { username: account.username, name: account.name } });
    peer.logger.info('console connected');
  }

  /** Consoles connected (metrics). */
  get size(): number {
    return this.links.size;
  }

  closeAll(code: number): void {
    for (const link of this.links) link.peer.close(code, 'SERVER_ERR_SHUTDOWN');
  }

  private handle(link: ConsoleLink, message: ConsoleToController): void {
    switch (message.t) {
      case 'hello':
        return link.peer.violation('PROTO_ERR_INVALID_MESSAGE', 'hello was already received');
      case 'shell.open':
        return this.relay.openShell(link, message);
      case 'shell.resize':
        return this.relay.resize(link, message);
      case 'shell.close':
        return this.relay.closeByConsole(link, message.channel);
      case 'shell.list':
        return this.relay.listShells(link, message);
      case 'shell.attach':
        return this.relay.attach(link, message);
      case 'shell.detach':
        return this.relay.detach(link, message.channel);
      case 'shell.observe':
        return this.relay.observe(link, message);
      case 'shell.takeover':
        return this.relay.takeover(link, message);
      case 'presence.watch':
        return this.relay.watchPresence(link, message.deviceId);
      case 'presence.unwatch':
        return this.relay.unwatchPresence(link, message.deviceId);
      case 'diagnostics.refresh': {
        let sent: boolean;
        try {
          sent = this.requestDiagnostics(message.deviceId, message.requestId);
        } catch (err) {
          if (err instanceof RelaisError) return link.peer.sendError(err.code, undefined, { requestId: message.requestId });
          throw err;
        }
        if (!sent) return link.peer.sendError('SHELL_ERR_DEVICE_OFFLINE', undefined, { requestId: message.requestId });
        return void link.peer.send({ t: 'diagnostics.pending', requestId: message.requestId, deviceId: message.deviceId });
      }
      case 'job.watch':
        return void this.jobs.watch(link.peer, message.jobId);
      case 'job.unwatch':
        return this.jobs.unwatch(link.peer, message.jobId);
      case 'ticket.watch': {
        // Any logged-in technician may read any ticket (as over REST): watching needs no more.
        const watched = this.watchedTickets.get(link);
        if (!watched) return;
        if (!watched.has(message.number) && watched.size >= MAX_WATCHED_TICKETS) {
          return link.peer.sendError('PROTO_ERR_TOO_MANY_CHANNELS', `A console watches at most ${MAX_WATCHED_TICKETS} tickets.`); // i18n-ignore: detail for the log; the code has catalog words
        }
        watched.add(message.number);
        return;
      }
      case 'ticket.unwatch':
        this.watchedTickets.get(link)?.delete(message.number);
        return;
      case 'chat.send': {
        if (!this.chat) return link.peer.sendError('CHAT_ERR_NO_SESSION');
        const { username, name } = link.account;
        this.chat.fromTechnician({ username, name }, message.deviceId, message.text).catch((err: unknown) => {
          if (err instanceof RelaisError) return link.peer.sendError(err.code);
          link.peer.logger.error({ err }, 'chat: a message could not be stored');
          link.peer.sendError('HTTP_ERR_INTERNAL');
        });
        return;
      }
      case 'file.send':
      case 'file.fetch':
      case 'file.cancel':
        if (!this.files) return link.peer.sendError('HTTP_ERR_NOT_FOUND');
        return this.files.fromConsole(link, message);
      default: {
        const never: never = message;
        return never;
      }
    }
  }
}
