/** `/ws/console`: technicians' browsers, already authenticated by session cookie and Origin at the upgrade. */
import type { WebSocket } from 'ws';
import {
  PROTOCOL_VERSION, RelaisError, SUPPORTED_VERSIONS, consoleToController, type ConsoleToController, type ControllerToConsole,
} from '../../../protocol/index.js';
import type { Account } from '../auth/accounts.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { JobWatch } from './job-watch.js';
import type { ConsoleLink } from '../relay/links.js';
import type { Relay } from '../relay/relay.js';
import { deviceEventMessage, diagnosticsNotice } from './console-messages.js';
import { PeerSocket } from './peer-socket.js';

export class ConsoleHub {
  private readonly links = new Set<ConsoleLink>();

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly relay: Relay,
    private readonly heartbeatMs: number,
    private readonly requestDiagnostics: (deviceId: string, requestId: string) => boolean,
    private readonly jobs: JobWatch,
  ) {}

  async accept(ws: WebSocket, ip: string, account: Account): Promise<void> {
    const peer = new PeerSocket<ConsoleToController, ControllerToConsole>(ws, consoleToController, ip, 'console');
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
    // Changes only, each a bounded message: the list itself is paged over REST.
    const unsubscribeDevices = this.devices.onChange((event) => peer.send(deviceEventMessage(event)));
    const unsubscribeDiagnostics = this.devices.onDiagnostics((stored, requestId) => peer.send(diagnosticsNotice(stored, requestId)));
    const unsubscribeJobs = this.jobs.connect(link.peer);
    peer.attach(
      {
        onMessage: (message) => this.handle(link, message),
        onBinary: (frame) => this.relay.consoleBinary(link, frame),
        onClose: () => {
          unsubscribeJobs();
          unsubscribeDevices();
          unsubscribeDiagnostics();
          this.links.delete(link);
          this.relay.consoleGone(link);
        },
      },
      this.heartbeatMs,
    );
    peer.send({ t: 'welcome', v: PROTOCOL_VERSION, user: { username: account.username, name: account.name } });
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
      case 'diagnostics.refresh':
        if (!this.requestDiagnostics(message.deviceId, message.requestId)) {
          return link.peer.sendError('SHELL_ERR_DEVICE_OFFLINE', undefined, { requestId: message.requestId });
        }
        return void link.peer.send({ t: 'diagnostics.pending', requestId: message.requestId, deviceId: message.deviceId });
      case 'job.watch':
        return void this.jobs.watch(link.peer, message.jobId);
      case 'job.unwatch':
        return this.jobs.unwatch(link.peer, message.jobId);
      default: {
        const never: never = message;
        return never;
      }
    }
  }
}
