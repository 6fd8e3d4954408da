/**
 * The agent's language and the French consent answers, on fakes: the choice of
 * language (flag, RELAIS_LANG, the POSIX locale, the runtime's, English), and the
 * person's « o »/« oui » on a real PersonTerminal over in-memory streams.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { agentLanguage, chooseAgentLanguage, langFlag, setAgentLanguage } from '../../agent/cli/agent-language.js';
import { parseCommandLine } from '../../agent/cli/cli.js';
import { isYesAnswer, isYesKey } from '../../agent/consent/consent-answer.js';
import { ConsentQueue, consentQuestion, type ConsentOutcome } from '../../agent/consent/consent.js';
import { PersonTerminal } from '../../agent/person/person-terminal.js';
import { introText } from '../../agent/person/person-words.js';
import { renderReport } from '../../agent/diagnostics/report.js';

afterEach(() => setAgentLanguage('en'));

describe('the agent chooses its language', () => {
  it('--lang beats the environment', () => {
    expect(chooseAgentLanguage(['join', 'x', '--lang', 'fr'], { LANG: 'en_GB.UTF-8' })).toEqual({ ok: true, language: 'fr' });
    expect(chooseAgentLanguage(['--lang=en', 'join'], { LC_ALL: 'fr_FR.UTF-8' })).toEqual({ ok: true, language: 'en' });
    expect(chooseAgentLanguage(['--lang', 'FR'], {})).toEqual({ ok: true, language: 'fr' });
  });

  it('a language it does not speak is an error, with the environment as fallback for the words of the error', () => {
    expect(chooseAgentLanguage(['--lang', 'de'], { LANG: 'fr_FR.UTF-8' })).toEqual({ ok: false, value: 'de', fallback: 'fr' });
    expect(chooseAgentLanguage(['--lang'], {})).toMatchObject({ ok: false, fallback: 'en' });
  });

  it('reads RELAIS_LANG, then LC_ALL, LC_MESSAGES, LANG, then the runtime locale', () => {
    expect(chooseAgentLanguage([], { RELAIS_LANG: 'fr', LANG: 'en_US.UTF-8' })).toEqual({ ok: true, language: 'fr' });
    expect(chooseAgentLanguage([], { LC_ALL: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' })).toEqual({ ok: true, language: 'fr' });
    expect(chooseAgentLanguage([], { LC_MESSAGES: 'fr_CA.UTF-8' })).toEqual({ ok: true, language: 'fr' });
    expect(chooseAgentLanguage([], { LANG: 'fr_BE.UTF-8' })).toEqual({ ok: true, language: 'fr' });
    expect(chooseAgentLanguage([], {}, 'fr-FR')).toEqual({ ok: true, language: 'fr' });
  });

  it('falls back to English: the C locale, a language it does not speak, nothing at all', () => {
    expect(chooseAgentLanguage([], { LANG: 'C' }, 'fr-FR')).toEqual({ ok: true, language: 'en' });
    expect(chooseAgentLanguage([], { LC_ALL: 'C.UTF-8' })).toEqual({ ok: true, language: 'en' });
    expect(chooseAgentLanguage([], { LANG: 'POSIX' })).toEqual({ ok: true, language: 'en' });
    expect(chooseAgentLanguage([], { LANG: 'de_DE.UTF-8' })).toEqual({ ok: true, language: 'en' });
    expect(chooseAgentLanguage([], {})).toEqual({ ok: true, language: 'en' });
  });

  it('--lang after -- is an argument, not the flag; the command line accepts --lang before or after the command', () => {
    expect(langFlag(['join', '--', '--lang', 'fr'])).toBeUndefined();
    expect(parseCommandLine(['--lang', 'fr', 'diagnose'], {}).kind).toBe('diagnose');
    expect(parseCommandLine(['diagnose', '--lang=fr'], {}).kind).toBe('diagnose');
    expect(parseCommandLine(['join', 'https://help.example.com/s/482193557', '--lang', 'fr'], {}).kind).toBe('join');
  });

  it('speaks French in the help and the usage errors once set to French', () => {
    setAgentLanguage('fr');
    expect(agentLanguage()).toBe('fr');
    const help = parseCommandLine(['--help'], {});
    expect(help).toMatchObject({ kind: 'help', text: expect.stringContaining('Utilisation\u00a0: relais-agent <commande>') });
    expect(parseCommandLine(['join', '12345'], {})).toMatchObject({ kind: 'usage-error', message: expect.stringContaining('9 chiffres') });
  });
});

describe('the French consent answer', () => {
  it.each(['o', 'O', 'oui', 'OUI', ' Oui ', 'y', 'yes', 'YES'])('%j is yes in French', (answer) => {
    expect(isYesAnswer(answer, 'fr')).toBe(true);
  });
  it.each(['n', 'non', '', ' ', 'ouais', 'si', 'nope', 'o o'])('%j is no in French', (answer) => {
    expect(isYesAnswer(answer, 'fr')).toBe(false);
  });
  it('in English y and yes only', () => {
    expect(['y', 'Y', 'yes'].map((a) => isYesAnswer(a, 'en'))).toEqual([true, true, true]);
    expect(['o', 'oui', 'n', ''].map((a) => isYesAnswer(a, 'en'))).toEqual([false, false, false, false]);
  });
  it('one key: o and y in French, y in English', () => {
    expect([0x6f, 0x4f, 0x79, 0x59].map((k) => isYesKey(k, 'fr'))).toEqual([true, true, true, true]);
    expect([0x6e, 0x0d, 0x20].map((k) => isYesKey(k, 'fr'))).toEqual([false, false, false]);
    expect([0x6f, 0x79].map((k) => isYesKey(k, 'en'))).toEqual([false, true]);
  });

  function frenchPerson() {
    setAgentLanguage('fr');
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const terminal = new PersonTerminal({ input, output, errors: new PassThrough() }, () => undefined);
    terminal.start();
    const queue = new ConsentQueue(terminal, 60_000);
    queue.release();
    return { queue, input, printed: () => printed };
  }
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const request = { channel: 1, requestedBy: { username: 'sam', name: 'Sam Lee' }, localUser: 'pat', shell: '/bin/bash' };

  it.each([
    ['oui', 'granted'],
    ['o', 'granted'],
    ['yes', 'granted'],
    ['non', 'declined'],
    ['', 'declined'],
    ['peut-être', 'declined'],
  ] as const)('a person typing %j on a French terminal: %s', async (typed, expected) => {
    const p = frenchPerson();
    let outcome: ConsentOutcome | null = null;
    void p.queue.ask(request).then((o) => (outcome = o));
    await settle();
    expect(p.printed()).toContain('Autoriser\u00a0? [o/N]');
    expect(p.printed()).toContain('Sam Lee (sam) demande à PRENDRE LA MAIN sur ce poste');
    p.input.write(`${typed}\n`);
    await settle();
    expect(outcome).toBe(expected);
    expect(p.printed()).toContain(expected === 'granted' ? 'Vous avez autorisé' : 'Vous avez refusé');
  });
});

describe('the French words for the way out', () => {
  it('« quitter » ends the session and « fin » closes the shells, as the French hints say', async () => {
    setAgentLanguage('fr');
    const input = new PassThrough();
    const commands: string[] = [];
    const terminal = new PersonTerminal({ input, output: new PassThrough(), errors: new PassThrough() }, (c) => void commands.push(c));
    terminal.start();
    input.write('fin\nquitter\n');
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(commands).toEqual(['end-shells', 'end-session']);
  });
});

describe('French words with French typography and formats', () => {
  it('the question, the greeting and the report', () => {
    setAgentLanguage('fr');
    const question = consentQuestion({ channel: 1, requestedBy: { username: 'sam', name: 'Sam' }, localUser: 'pat', shell: '/bin/bash' }, 60, true);
    expect(question).toContain('Appuyez sur o pour autoriser\u00a0; toute autre touche refuse.');
    expect(question).toContain('Sans réponse sous 60\u00a0s, la réponse est non.');
    const intro = introText(
      { t: 'welcome', controller: { organization: 'Mairie', name: 'Support', url: 'https://help.example.com' }, technician: { username: 'sam', name: 'Sam' } } as never,
      {
        hostname: 'pc-01', user: 'pat', os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' }, cpu: { brand: 'CPU', cores: 1 },
        memory: { totalBytes: 8 * 1024 ** 3, availableBytes: 1.5 * 1024 ** 3 }, disks: [], addresses: [], uptimeSeconds: 90_000, agentVersion: '1',
      } as never,
      false,
    );
    expect(intro).toContain('Votre technicien\u00a0: Sam (sam).');
    expect(intro).toContain('8\u00a0Go au total, 1,5\u00a0Go disponibles');
    expect(intro).toContain('CPU, 1 cœur');
    expect(intro).toContain('1\u00a0j 1\u00a0h');
    expect(intro).toContain('tapez «\u00a0quitter\u00a0» puis Entrée');
    const report = renderReport(
      { takenAt: Date.UTC(2026, 10, 29, 8, 8), durationMs: 1200, probes: {}, memory: { totalBytes: 8 * 1024 ** 3, availableBytes: 2 * 1024 ** 3, swapTotalBytes: 0, swapUsedBytes: 0 } } as never,
      [],
      { color: false, language: 'fr' },
    );
    expect(report).toMatch(/^Diagnostic Relais — ce poste — 29 nov\. 2026/);
    expect(report).toContain('Constats\u00a0: rien ne semble anormal');
    expect(report).toContain('2\u00a0Go disponibles sur 8\u00a0Go');
    expect(report).toContain('Recueilli en 1\u202f200\u00a0ms');
  });
});
