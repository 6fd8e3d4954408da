/** The agent's link in-process against the hostile controller: heartbeat watchdog and resume. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorCode, Frame } from '../../protocol/index.js';
import { SupportCodeCredentials } from '../../agent/link/credentials.js';
import { Link, type LinkListener, type SessionMessage, type Welcome } from '../../agent/link/link.js';
import { startHostileController, type HostileController } from '../helpers/hostile-controller.js';
import { until } from '../helpers/until.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recorder() {
  const events: string[] = [];
  const listener: LinkListener = {
    welcomed: (_w: Welcome, resumed: boolean) => void events.push(resumed ? 'resumed' : 'welcomed'),
    message: (m: SessionMessage) => void events.push(m.t),
    frame: (f: Frame) => void events.push(`frame:${f.channel}`),
    lost: (_ms: number, _was: boolean, reason: string) => void events.push(`lost:${reason}`),
    fatal: (code: ErrorCode) => void events.push(`fatal:${code}`),
  };
  return { events, listener };
}

async function startLink(hc: HostileController, heartbeatTimeoutMs: number, listener: LinkListener): Promise<Link> {
  const link = new Link(
    { wsUrls: [`ws://127.0.0.1:${hc.port}/ws/agent`], credentials: new SupportCodeCredentials('482193557'), agent: { version: 't', platform: 'linux', arch: 'x64', hostname: 'h' }, heartbeatTimeoutMs },
    listener,
  );
  cleanups.push(() => link.stop());
  link.start();
  return link;
}

describe('link heartbeat watchdog', () => {
  it('a silent controller is treated as gone, and the link resumes with its token', async () => {
    const hc = await startHostileController();
    cleanups.push(() => hc.close());
    const { events, listener } = recorder();
    await startLink(hc, 600, listener);
    const first = await hc.connection(0);
    await until(() => events.includes('lost:no heartbeat from the controller'), 3000, 'the watchdog');
    const second = await hc.connection(1, 3000);
    expect(second.hello?.auth).toEqual({ kind: 'resume', token: first.welcome!.resumeToken });
    await until(() => events.includes('resumed'), 2000, 'the resumed welcome');
  });

  it('websocket pings alone keep the link alive', async () => {
    const hc = await startHostileController();
    cleanups.push(() => hc.close());
    const { events, listener } = recorder();
    await startLink(hc, 1000, listener);
    const conn = await hc.connection(0);
    // Each ping answered is the link alive; twenty of them, 100 ms apart, span twice the watchdog's limit.
    let pongs = 0;
    conn.socket.on('pong', () => (pongs += 1));
    const pinger = setInterval(() => conn.socket.ping(), 100);
    try {
      await until(() => pongs >= 20, 20_000, 'twenty pongs');
      expect(events).toEqual(['welcomed']);
      expect(hc.connections).toHaveLength(1);
    } finally {
      clearInterval(pinger);
    }
  });
});
