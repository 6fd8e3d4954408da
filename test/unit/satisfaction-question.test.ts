/**
 * The satisfaction question at the agent, with the real PersonTerminal on in-memory
 * streams: one key rates (1–5, N for not solved, anything else skips), then a one-line
 * comment edited like a chat message (Enter sends, Esc skips); piped input answers with
 * lines; a consent question arriving meanwhile takes the keyboard and the survey is skipped;
 * each survey is asked once; keys typed before the question answer nothing.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { setAgentLanguage } from '../../agent/cli/agent-language.js';
import { PersonTerminal } from '../../agent/person/person-terminal.js';
import { SatisfactionQuestion, ratingOf } from '../../agent/person/satisfaction-question.js';
import type { SurveyAnswer } from '../../protocol/satisfaction-model.js';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
};

function person(tty: boolean) {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  if (tty) {
    input.isTTY = true;
    input.setRawMode = () => input;
  }
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const terminal = new PersonTerminal({ input, output, errors: new PassThrough() }, () => undefined);
  terminal.start();
  const sent: Array<{ surveyId: string; answer: SurveyAnswer }> = [];
  const question = new SatisfactionQuestion(terminal, (surveyId, answer) => (sent.push({ surveyId, answer }), true));
  return { terminal, question, sent, printed: () => printed, type: async (text: string) => (input.write(text), settle()) };
}

const ask = { surveyId: 'survey1', ticketNumber: 1042, title: 'Printer offline', technician: 'Sam Lee' };

afterEach(() => setAgentLanguage('en'));

describe('the satisfaction question', () => {
  it('reads a key as a rating, not solved or a skip', () => {
    expect(ratingOf('4')).toEqual({ kind: 'rating', rating: 4 });
    expect(ratingOf('N')).toEqual({ kind: 'not_solved' });
    expect(ratingOf('non')).toEqual({ kind: 'not_solved' });
    for (const skip of ['', '0', '6', 's', '\r', null]) expect(ratingOf(skip)).toBeNull();
  });

  it('on a terminal: a key, then a comment typed and sent with Enter', async () => {
    const p = person(true);
    await p.type('9'); // typed before the question: answers nothing
    const done = p.question.ask(ask);
    await settle();
    expect(p.printed()).toContain('Your request #1042 “Printer offline” was marked as resolved by Sam Lee.');
    expect(p.printed()).toContain('Your rating [1-5/N]:');
    await p.type('4');
    expect(p.printed()).toContain('Your rating: 4/5.');
    await p.type('Quick, ');
    await p.type('thanks\r');
    await done;
    expect(p.sent).toEqual([{ surveyId: 'survey1', answer: { kind: 'rating', rating: 4, comment: 'Quick, thanks' } }]);
    expect(p.printed()).toContain('Thank you, your answer was sent.');
    // Asked once per survey.
    await p.question.ask(ask);
    expect(p.sent).toHaveLength(1);
  });

  it('N then Esc: not solved, without a comment; any other key skips', async () => {
    const p = person(true);
    const done = p.question.ask(ask);
    await settle();
    await p.type('n');
    await p.type('\x1b');
    await done;
    expect(p.sent).toEqual([{ surveyId: 'survey1', answer: { kind: 'not_solved' } }]);
    const skipped = p.question.ask({ ...ask, surveyId: 'survey2' });
    await settle();
    await p.type('\r');
    await skipped;
    expect(p.sent).toHaveLength(1);
    expect(p.printed()).toContain('No answer sent.');
  });

  it('piped input: a line for the rating, a line for the comment, in French', async () => {
    setAgentLanguage('fr');
    const p = person(false);
    const done = p.question.ask(ask);
    await settle();
    expect(p.printed()).toContain('Votre note (de 1 à 5, N, ou une ligne vide pour passer)');
    await p.type('5\n');
    await p.type('Très bien\n');
    await done;
    expect(p.sent).toEqual([{ surveyId: 'survey1', answer: { kind: 'rating', rating: 5, comment: 'Très bien' } }]);
    expect(p.printed()).toContain('Merci, votre réponse a été envoyée.');
  });

  it('a consent question arriving meanwhile takes the keyboard: the survey is skipped, the consent answered', async () => {
    const p = person(true);
    const done = p.question.ask(ask);
    await settle();
    const consent = p.terminal.ask('Allow? [y/N]');
    await done;
    expect(p.sent).toHaveLength(0);
    await p.type('y');
    expect(await consent.answer).toBe(true);
  });
});
