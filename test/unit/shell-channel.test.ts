/** A shell channel pauses its pty while any reader is behind (credit, link, the person's screen) and resumes only when none is. */
import { describe, expect, it } from 'vitest';
import { ShellChannel, type Backpressure, type ChannelOutput } from '../../agent/shell/shell-channel.js';
import type { Defer } from '../../agent/shell/output-batcher.js';
import type { ShellProcess } from '../../agent/shell/shell-process.js';
import { decodeFrame, FrameKind } from '../../protocol/index.js';

class FakeReader implements Backpressure {
  congested = false;
  private waiters: Array<() => void> = [];
  whenDrained(callback: () => void): void {
    if (!this.congested) return callback();
    this.waiters.push(callback);
  }
  drain(): void {
    this.congested = false;
    for (const w of this.waiters.splice(0)) w();
  }
}

function setUp(window = 100) {
  const turns: Array<() => void> = [];
  const defer: Defer = { endOfTurn: (f) => void turns.push(f), after: (_ms, f) => void turns.push(f), now: () => 0 };
  const link = new FakeReader();
  const screen = new FakeReader();
  const sent: Buffer[] = [];
  const mirrored: Buffer[] = [];
  const out: ChannelOutput = {
    sendFrame: (frame) => {
      const decoded = decodeFrame(frame);
      if (decoded.ok && decoded.frame.kind === FrameKind.data) sent.push(Buffer.from(decoded.frame.payload));
    },
    link,
    mirror: (bytes) => void mirrored.push(Buffer.from(bytes)),
    mirrorPressure: screen,
  };
  const events: string[] = [];
  const process = { pause: () => events.push('pause'), resume: () => events.push('resume'), write: () => undefined, resize: () => undefined, kill: () => undefined } as unknown as ShellProcess;
  const channel = new ShellChannel(3, window, out, defer);
  channel.attach(process);
  channel.begin();
  const endTurn = () => turns.splice(0).forEach((f) => f());
  return { channel, link, screen, sent, mirrored, events, endTurn };
}

describe('ShellChannel', () => {
  it('sends to the technician and mirrors the same bytes, batched per turn', () => {
    const s = setUp();
    s.channel.output(Buffer.from('he'));
    s.channel.output(Buffer.from('llo'));
    s.endTurn();
    expect(s.sent.map(String)).toEqual(['hello']);
    expect(s.mirrored.map(String)).toEqual(['hello']);
  });

  it('pauses when the credit is spent and resumes on ACK', () => {
    const s = setUp(10);
    s.channel.output(Buffer.alloc(10));
    expect(s.events).toEqual(['pause']);
    s.channel.ack(4);
    expect(s.events).toEqual(['pause', 'resume']);
  });

  it('a slow screen pauses the pty until it has drained, whatever the credit says', () => {
    const s = setUp();
    s.screen.congested = true;
    s.channel.output(Buffer.from('x'));
    s.endTurn();
    expect(s.events).toEqual(['pause']);
    s.channel.ack(1);
    expect(s.events).toEqual(['pause']);
    s.screen.drain();
    expect(s.events).toEqual(['pause', 'resume']);
  });

  it('resumes only when every reason to pause is gone', () => {
    const s = setUp(5);
    s.link.congested = true;
    s.screen.congested = true;
    s.channel.output(Buffer.alloc(5));
    s.endTurn();
    expect(s.events).toEqual(['pause']);
    s.link.drain();
    s.channel.ack(5);
    expect(s.events).toEqual(['pause']);
    s.screen.drain();
    expect(s.events).toEqual(['pause', 'resume']);
  });

  it('flush sends the batched output now (before shell.closed)', () => {
    const s = setUp();
    s.channel.output(Buffer.from('last words'));
    s.channel.flush();
    expect(s.sent.map(String)).toEqual(['last words']);
  });
});
