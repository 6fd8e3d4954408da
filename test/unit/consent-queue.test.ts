/**
 * The consent queue with the real PersonTerminal on in-memory streams and fake
 * timers: one question at a time, default no, no answer in time is no, input
 * typed before a question never answers it, withdrawn questions; and the local
 * policy deciding for a managed device.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsentQueue, type ConsentOutcome, type ConsentRequest } from '../../agent/consent/consent.js';
import { PolicyConsent } from '../../agent/consent/policy-consent.js';
import type { PolicyRead } from '../../agent/consent/local-policy.js';
import { PersonTerminal, type PersonCommand } from '../../agent/person/person-terminal.js';

const TIMEOUT_MS = 60_000;

// setImmediate stays real: the queue shows the next question on it, and the tests use it to let streams deliver.
beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
afterEach(() => void vi.useRealTimers());

/** Lets stream data, promise callbacks and the queue's setImmediate run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

function person(opts: { tty?: boolean } = {}) {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  if (opts.tty) {
    input.isTTY = true;
    input.setRawMode = () => input;
  }
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const commands: PersonCommand[] = [];
  const terminal = new PersonTerminal({ input, output, errors: new PassThrough() }, (c) => void commands.push(c));
  terminal.start();
  const queue = new ConsentQueue(terminal, TIMEOUT_MS);
  return {
    terminal,
    queue,
    commands,
    printed: () => printed,
    questions: () => (printed.match(/Allow\? \[y\/N\]/g) ?? []).length,
    end: () => void input.end(),
    type: async (text: string) => {
      input.write(text);
      await settle();
    },
  };
}

const request = (channel: number, extra: Partial<ConsentRequest> = {}): ConsentRequest => ({
  channel, requestedBy: { username: 'sam', name: 'Sam Lee' }, localUser: 'pat', shell: '/bin/bash', ...extra,
});

/** Asks and records the outcome when it comes. */
function ask(queue: ConsentQueue, req: ConsentRequest): { outcome: () => ConsentOutcome | null } {
  let outcome: ConsentOutcome | null = null;
  void queue.ask(req).then((o) => (outcome = o));
  return { outcome: () => outcome };
}

describe('one question', () => {
  it('waits until release(), names who asks and for what, and takes y for yes', async () => {
    const p = person();
    const q = ask(p.queue, request(1));
    await settle();
    expect(p.questions()).toBe(0);
    p.queue.release();
    await settle();
    expect(p.printed()).toMatch(/Sam Lee \(sam\) asks to open a REMOTE SHELL[\s\S]*as your user "pat" \(shell \/bin\/bash\)[\s\S]*No answer within 60 s means no/);
    await p.type('y\n');
    expect(q.outcome()).toBe('granted');
    expect(p.printed()).toMatch(/You allowed it/);
  });

  it.each(['n', 'no', '', 'yep', 'oui'])('%j is no', async (line) => {
    const p = person();
    p.queue.release();
    const q = ask(p.queue, request(1));
    await settle();
    await p.type(`${line}\n`);
    expect(q.outcome()).toBe('declined');
  });

  it('no answer in time is no, exactly at the timeout', async () => {
    const p = person();
    p.queue.release();
    const q = ask(p.queue, request(1));
    await settle();
    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    await settle();
    expect(q.outcome()).toBeNull();
    vi.advanceTimersByTime(1);
    await settle();
    expect(q.outcome()).toBe('timeout');
    expect(p.printed()).toMatch(/No answer within 60 s, so the answer is no/);
    // A yes typed after the timeout answers nothing.
    await p.type('y\n');
    expect(p.printed()).toMatch(/Nothing is waiting for an answer/);
    expect(p.queue.size).toBe(0);
  });

  it('end of input is no answer and ends nothing: the question says so, and times out to no', async () => {
    const p = person();
    p.queue.release();
    p.end();
    await settle();
    const q = ask(p.queue, request(1));
    await settle();
    expect(p.printed()).toMatch(/Nothing can be typed here any more, so this question will time out/);
    expect(p.commands).toEqual([]);
    vi.advanceTimersByTime(TIMEOUT_MS);
    await settle();
    expect(q.outcome()).toBe('timeout');
  });

  it('asks about a fleet script in its own words', async () => {
    const p = person();
    p.queue.release();
    ask(p.queue, request(1, { script: { name: 'flush-dns', interpreter: 'sh' } }));
    await settle();
    expect(p.printed()).toMatch(/asks to RUN THE SCRIPT "flush-dns" \(sh\)/);
  });
});

describe('input typed before the question', () => {
  it('whole lines typed before do not answer it', async () => {
    const p = person();
    p.queue.release();
    await p.type('y\nyes\n');
    expect(p.printed().match(/Nothing is waiting for an answer/g)).toHaveLength(2);
    const q = ask(p.queue, request(1));
    await settle();
    expect(q.outcome()).toBeNull();
    await p.type('n\n');
    expect(q.outcome()).toBe('declined');
  });

  it('the end of a line begun before the question does not answer it', async () => {
    const p = person();
    p.queue.release();
    await p.type('y');
    const q = ask(p.queue, request(1));
    await settle();
    await p.type('\n');
    expect(q.outcome()).toBeNull();
    await p.type('y\n');
    expect(q.outcome()).toBe('granted');
  });

  it('on a terminal, keys pressed before do not count, and one key answers (the rest of a paste is dropped)', async () => {
    const p = person({ tty: true });
    p.queue.release();
    await p.type('y');
    const first = ask(p.queue, request(1));
    await settle();
    expect(first.outcome()).toBeNull();
    await p.type('nyy');
    expect(first.outcome()).toBe('declined');
    await settle();
    const second = ask(p.queue, request(2));
    await settle();
    await p.type('Y');
    expect(second.outcome()).toBe('granted');
  });

  it('an answer typed between two questions answers neither', async () => {
    const p = person();
    p.queue.release();
    const first = ask(p.queue, request(1));
    const second = ask(p.queue, request(2));
    await settle();
    vi.advanceTimersByTime(TIMEOUT_MS);
    // The second question is shown on the next turn of the event loop: a line arriving first is not its answer.
    await Promise.resolve();
    await p.type('y\n');
    expect(first.outcome()).toBe('timeout');
    expect(second.outcome()).toBeNull();
  });
});

describe('several requests', () => {
  it('shows one question at a time, the next once the first is answered', async () => {
    const p = person();
    p.queue.release();
    const first = ask(p.queue, request(1));
    const second = ask(p.queue, request(2));
    await settle();
    expect(p.questions()).toBe(1);
    expect(p.queue.size).toBe(2);
    expect(p.queue.has(2)).toBe(true);
    await p.type('n\n');
    expect(first.outcome()).toBe('declined');
    expect(p.questions()).toBe(2);
    // The second question has its own full time.
    vi.advanceTimersByTime(TIMEOUT_MS - 1);
    await settle();
    expect(second.outcome()).toBeNull();
    await p.type('y\n');
    expect(second.outcome()).toBe('granted');
  });

  it('a withdrawn question (shown or waiting) resolves cancelled and is never answered', async () => {
    const p = person();
    p.queue.release();
    const first = ask(p.queue, request(1));
    const second = ask(p.queue, request(2));
    const third = ask(p.queue, request(3));
    await settle();
    p.queue.cancel(2, 'the technician withdrew it');
    await settle();
    expect(second.outcome()).toBe('cancelled');
    expect(p.questions()).toBe(1);
    p.queue.cancel(1, 'the technician withdrew it');
    await settle();
    expect(first.outcome()).toBe('cancelled');
    expect(p.printed()).toMatch(/The request was withdrawn \(the technician withdrew it\)/);
    expect(p.questions()).toBe(2); // the third is shown now
    await p.type('y\n');
    expect(third.outcome()).toBe('granted');
    expect(first.outcome()).toBe('cancelled');
  });

  it('cancelAll withdraws everything, and the timer of the withdrawn question never fires', async () => {
    const p = person();
    p.queue.release();
    const first = ask(p.queue, request(1));
    const second = ask(p.queue, request(2));
    await settle();
    p.queue.cancelAll('the connection dropped');
    await settle();
    expect([first.outcome(), second.outcome()]).toEqual(['cancelled', 'cancelled']);
    expect(p.queue.size).toBe(0);
    vi.advanceTimersByTime(TIMEOUT_MS);
    await settle();
    expect(p.printed()).not.toMatch(/so the answer is no/);
  });

  it('quit ends the session even while a question waits; Ctrl+] on a terminal ends the shells', async () => {
    const p = person();
    p.queue.release();
    ask(p.queue, request(1));
    await settle();
    await p.type('quit\n');
    expect(p.commands).toEqual(['end-session']);
    const t = person({ tty: true });
    await t.type('\x1d');
    expect(t.commands).toEqual(['end-shells']);
  });
});

describe('the local policy (managed devices)', () => {
  const policy = (shell: 'allow' | 'ask' | 'deny'): PolicyRead => ({ ok: true, policy: { script: 'deny', shell } });

  it('allow grants, deny refuses, ask refuses with nobody to ask and asks the person when there is one; an unusable file refuses', async () => {
    const log: string[] = [];
    const decide = (read: PolicyRead, queue: ConsentQueue | null) => new PolicyConsent({ readPolicy: () => read, person: queue, log: (l) => void log.push(l) }).ask(request(1));
    expect(await decide(policy('allow'), null)).toBe('granted');
    expect(await decide(policy('deny'), null)).toBe('refused-by-policy');
    expect(await decide(policy('ask'), null)).toBe('refused-by-policy');
    expect(await decide({ ok: false, message: 'policy.json does not exist' }, null)).toBe('refused-by-policy');
    expect(log).toEqual([
      expect.stringMatching(/without asking: the local policy allows shells/),
      expect.stringMatching(/the local policy denies shells \(shell: deny\)/),
      expect.stringMatching(/nobody is at a terminal to answer/),
      expect.stringMatching(/the policy file cannot be used \(policy.json does not exist\)/),
    ]);
    const p = person();
    p.queue.release();
    const asked = decide(policy('ask'), p.queue);
    await settle();
    await p.type('y\n');
    expect(await asked).toBe('granted');
  });
});
