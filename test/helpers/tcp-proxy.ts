/**
 * A real TCP proxy on 127.0.0.1 that a test can cut, to drop a connection the way a
 * network does. Clients address it by its own port, so the controller must know that
 * name as its own: reserve the port first and start the controller with
 * `--allowed-host 127.0.0.1:PORT` (see proxyAllowance).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Destroys every open connection through the proxy (new ones are still accepted). */
  cutAll(): void;
  /** While down, every open connection is cut and every new one is cut as soon as it arrives. */
  setDown(down: boolean): void;
  /** Connections accepted so far. */
  accepted(): number;
  /** Sends new connections to another port from now on (a balancer's next server). */
  retarget(port: number): void;
  close(): Promise<void>;
}

/** A free port on 127.0.0.1 for a proxy started later, and the controller argument that makes its name one of the controller's own. */
export async function proxyAllowance(): Promise<{ port: number; args: string[] }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return { port, args: ['--allowed-host', `127.0.0.1:${port}`] };
}

export async function startTcpProxy(targetPort: number, listenPort = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let down = false;
  let target = targetPort;
  const server = createServer((client) => {
    accepted++;
    if (down) return void client.destroy();
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cutAll: () => sockets.forEach((s) => s.destroy()),
    retarget: (port) => {
      target = port;
    },
    setDown: (value) => {
      down = value;
      if (down) sockets.forEach((s) => s.destroy());
    },
    accepted: () => accepted,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
