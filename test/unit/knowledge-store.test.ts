/**
 * The knowledge base on a real store (SQLite FTS5, or PostgreSQL's tsvector in the postgres project): articles and their versions, the full-text
 * search (accents folded, word beginnings, French and English, ranked, highlighted, any
 * typed operator harmless), votes, and suggestions ranked findings first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_CODES, findingCodeOf, runHealthChecks, snapshot, type Finding, type Snapshot } from '../../protocol/index.js';
import { articleFields, type ArticleFieldsInput } from '../../protocol/knowledge-model.js';
import { AuditLog } from '../../controller/server/audit/audit.js';
import { ArticleFeedback } from '../../controller/server/knowledge/article-feedback.js';
import { ftsExpression } from '../../controller/server/knowledge/article-search.js';
import { articleSearchFor } from '../../controller/server/knowledge/knowledge.js';
import { highlight, matcher, snippet } from '../../controller/server/knowledge/search-highlight.js';
import { ArticleStore, type KnowledgeCaller } from '../../controller/server/knowledge/article-store.js';
import { ArticleVersions } from '../../controller/server/knowledge/article-versions.js';
import { searchTerms, suggestionTerms } from '../../controller/server/knowledge/search-terms.js';
import { escapeMarkdown } from '../../controller/server/knowledge/ticket-draft.js';
import { markdownToPlainLine, renderMarkdown } from '../../protocol/markdown.js';
import { Suggestions, rankSuggestions, type Candidate } from '../../controller/server/knowledge/suggestions.js';
import { addDevice, openTempStore, type TempStore } from '../helpers/temp-store.js';
import { repoRoot } from '../helpers/paths.js';
import { testEngine } from '../helpers/test-database.js';
import { arbitraryFor } from '../helpers/schema-arbitrary.js';

let store: TempStore;
let articles: ArticleStore;
let feedback: ArticleFeedback;
let suggestions: Suggestions;
const caller: KnowledgeCaller = { account: { id: 1, username: 'admin', name: 'Administrator', role: 'admin' }, ip: '127.0.0.1' };
const fields = (input: Partial<ArticleFieldsInput>) => articleFields.parse({ title: 'T', symptoms: 'S', steps: 'Do it', category: 'system', ...input });

beforeAll(async () => {
  store = await openTempStore();
  const search = articleSearchFor(store.db);
  articles = new ArticleStore(store.db, search, new AuditLog(store.db));
  feedback = new ArticleFeedback(store.db);
  suggestions = new Suggestions(store.db, articles, search, feedback);
});
afterAll(async () => store.close());

describe('search terms', () => {
  it('fold accents and case, drop stop words and operators, keep at most eight', () => {
    expect(searchTerms('Le Réseau ne répond plus')).toEqual(['reseau', 'repond']);
    expect(searchTerms('"disk" AND (full OR NEAR(x y)) NOT* ^title: -z')).toEqual(['disk', 'full', 'near', 'title']);
    expect(searchTerms('((((')).toEqual([]);
    expect(searchTerms('the')).toEqual(['the']);
    expect(searchTerms('a b c d e f g h i j k l')).toHaveLength(8);
    expect(suggestionTerms('Mon écran est noir depuis 2 jours, 12345')).toEqual(['ecran', 'noir', 'depuis', 'jours']);
  });

  it('quote every term for FTS5, so no word is an operator', () => {
    expect(ftsExpression(['not', 'a'], 'AND')).toBe('{title body tags} : ("not" AND "a")');
    expect(ftsExpression(['disque', 'ple'], 'AND')).toBe('{title body tags} : ("disque" AND "ple"*)');
    expect(ftsExpression(['ecran', 'noir'], 'OR')).toBe('{title body tags} : ("ecran" OR "noir")');
    expect(ftsExpression([], 'AND', 'windows-11')).toBe('tags : "windows 11"');
  });

  it('mark the matched words as the index folds them, and cut a snippet around the densest matches', () => {
    const m = matcher(['reseau', 'imprim'], true);
    expect(highlight('Le Réseau et l’IMPRIMANTE', m)).toEqual({ text: 'Le Réseau et l’IMPRIMANTE', marks: [[3, 9], [15, 25]] });
    const long = `${'mot '.repeat(40)}le réseau tombe, le réseau revient ${'fin '.repeat(40)}`;
    const cut = snippet(long, m, 10);
    expect(cut.text.startsWith('…')).toBe(true);
    expect(cut.text.endsWith('…')).toBe(true);
    expect(cut.marks.map(([s, e]) => cut.text.slice(s, e))).toEqual(['réseau', 'réseau']);
    expect(snippet('Rien à voir', m)).toEqual({ text: 'Rien à voir', marks: [] });
    // Lines stay apart on one line: a sentence keeps its stop, the lines of a list are separated.
    const lines = snippet('Les enregistrements échouent.\n\nCe que le poste montrait :\nLe réseau tombe\nLe disque est plein', m);
    expect(lines.text).toBe('Les enregistrements échouent. Ce que le poste montrait : Le réseau tombe · Le disque est plein');
    expect(lines.marks.map(([s, e]) => lines.text.slice(s, e))).toEqual(['réseau']);
    // An exact term is a whole word; only the last one is a beginning.
    expect(highlight('reseaux reseau', matcher(['reseau', 'x'], true)).marks).toEqual([[8, 14]]);
  });
});

describe('articles', () => {
  it('keep every version with its diff, and refuse a stale edit', async () => {
    const a = await articles.create(fields({ title: 'Disque plein', symptoms: 'Lent.\nErreurs.', findingCodes: ['disk.full'] }), null, caller);
    expect(a.version).toBe(1);
    const b = await articles.update(a.id, 1, fields({ title: 'Disque plein', symptoms: 'Lent.\nErreurs à l’enregistrement.', findingCodes: ['disk.full'], tags: ['disque'] }), caller);
    expect(b.version).toBe(2);
    // The same fields again make no version.
    expect((await articles.update(a.id, 2, fields({ title: 'Disque plein', symptoms: 'Lent.\nErreurs à l’enregistrement.', findingCodes: ['disk.full'], tags: ['disque'] }), caller)).version).toBe(2);
    await expect(articles.update(a.id, 1, fields({ title: 'Stale' }), caller)).rejects.toMatchObject({ code: 'KB_ERR_VERSION_CONFLICT' });
    const history = new ArticleVersions(store.db);
    const versions = await history.versions(a.id, undefined, 10);
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    const second = await history.version(a.id, 2);
    expect(second.previous).toBe(1);
    expect(second.diff.map((d) => d.field)).toEqual(['tags', 'symptoms']);
    expect(second.diff[1]!.lines).toEqual([{ op: 'equal', text: 'Lent.' }, { op: 'delete', text: 'Erreurs.' }, { op: 'insert', text: 'Erreurs à l’enregistrement.' }]);
    await expect(history.version(a.id, 3)).rejects.toMatchObject({ code: 'KB_ERR_NOT_FOUND' });
  });
});

describe('full-text search', () => {
  beforeAll(async () => {
    await articles.create(fields({ title: 'Imprimante hors ligne', symptoms: 'Le **réseau** ne répond plus et l’imprimante est hors ligne.', category: 'hardware', tags: ['impression'] }), null, caller);
    await articles.create(fields({ title: 'VPN drops every hour', symptoms: 'The network connection drops; the reseau word appears once.', category: 'network', tags: ['vpn', 'windows-11'] }), null, caller);
    await articles.create(fields({ title: 'Printer offline after update', symptoms: 'Nothing prints.', category: 'hardware' }), null, caller);
  });

  it('folds accents both ways and matches word beginnings', async () => {
    const titles = async (q: string) => (await articles.list({ q, limit: 20 })).articles.map((a) => a.title);
    expect(await titles('reseau')).toEqual(expect.arrayContaining(['Imprimante hors ligne', 'VPN drops every hour']));
    expect(await titles('réseau')).toEqual(await titles('reseau'));
    expect(await titles('imprim')).toEqual(['Imprimante hors ligne']);
    expect(await titles('printer offl')).toEqual(['Printer offline after update']);
    expect(await titles('le réseau ne répond')).toEqual(['Imprimante hors ligne']);
  });

  it.runIf(testEngine() === 'postgres')('on PostgreSQL, also finds a word by its French or English stem', async () => {
    const titles = async (q: string) => (await articles.list({ q, limit: 20 })).articles.map((a) => a.title);
    expect(await titles('imprimantes lignes')).toEqual(['Imprimante hors ligne']);
    expect(await titles('printers')).toEqual(['Printer offline after update']);
  });

  it('ranks a title match first and highlights the words in title and snippet', async () => {
    const { articles: found } = await articles.list({ q: 'imprimante', limit: 20 });
    expect(found.map((a) => a.title)).toEqual(['Imprimante hors ligne']);
    expect(found[0]!.title).toBe('Imprimante hors ligne');
    expect(found[0]!.titleMarks).toEqual([[0, 10]]);
    const snippet = found[0]!.snippet;
    expect(snippet.marks.length).toBeGreaterThan(0);
    expect(snippet.marks.map(([s, e]) => snippet.text.slice(s, e).toLowerCase())).toContain('imprimante');
    // Markdown is not shown raw in a snippet.
    expect(snippet.text).not.toContain('**');
  });

  it('never fails on operators, quotes or unbalanced parentheses', async () => {
    for (const q of ['"', '(((', 'NOT', 'AND OR', 'réseau)', 'title:vpn', '*', '^x', '"unbalanced', 'a"b"c', 'NEAR(a b', '-vpn', '\u0002', '{title}: x']) {
      const page = await articles.list({ q, limit: 20 });
      expect(Array.isArray(page.articles), q).toBe(true);
    }
    expect((await articles.list({ q: 'vpn)', limit: 20 })).articles.map((a) => a.title)).toEqual(['VPN drops every hour']);
  });

  it('filters by category, tag and finding code, and pages', async () => {
    expect((await articles.list({ q: 'offline', category: 'hardware', limit: 20 })).articles.map((a) => a.title)).toEqual(['Printer offline after update']);
    expect((await articles.list({ tag: 'windows-11', limit: 20 })).articles.map((a) => a.title)).toEqual(['VPN drops every hour']);
    expect((await articles.list({ code: 'disk.full', limit: 20 })).articles.map((a) => a.title)).toEqual(['Disque plein']);
    const first = await articles.list({ limit: 2 });
    expect(first.articles).toHaveLength(2);
    const next = await articles.list({ limit: 2, cursor: first.nextCursor! });
    expect(next.articles.map((a) => a.id)).not.toContain(first.articles[0]!.id);
    await expect(articles.list({ limit: 2, cursor: 'garbage!' })).rejects.toMatchObject({ code: 'KB_ERR_INVALID_FIELD' });
  });
});

describe('ranking is bounded', () => {
  it('past the bound, the newest matches are ranked (bm25 among them), not every match', async () => {
    const bounded = new ArticleStore(store.db, articleSearchFor(store.db, 2), new AuditLog(store.db));
    const made: string[] = [];
    for (const title of ['Wifi wifi wifi (oldest)', 'Wifi once', 'Wifi again', 'Wifi newest']) made.push((await articles.create(fields({ title, symptoms: 'Le wifi tombe.' }), null, caller)).title);
    expect((await articles.list({ q: 'wifi', limit: 20 })).articles[0]!.title).toBe('Wifi wifi wifi (oldest)');
    expect((await bounded.list({ q: 'wifi', limit: 20 })).articles.map((a) => a.title).sort()).toEqual(['Wifi again', 'Wifi newest']);
  });
});

describe('suggestions', () => {
  it('rank findings before text, better records first, this ticket\u2019s "did not help" last', () => {
    const c = (id: string, reason: Candidate['reason'], relevance: number, helped = 0, notHelped = 0): Candidate => ({ id, reason, relevance, matchedCodes: [], helped, notHelped });
    const ranked = rankSuggestions([c('text-best', 'text', 1), c('findings-poor', 'findings', 1, 0, 6), c('findings-good', 'findings', 1, 5, 0), c('voted-down', 'findings', 1, 9, 0)], new Map([['voted-down', 'not_helped']]), 10);
    expect(ranked.map((r) => r.id)).toEqual(['findings-good', 'findings-poor', 'text-best', 'voted-down']);
  });

  it('on a ticket: the article for what the device shows comes first, before any word is typed', async () => {
    await addDevice(store.db, 'dev-1');
    const findings: Finding[] = [{ id: 'disk.full:/', severity: 'warning', title: 'Disk / is 93% full', explanation: 'x', evidence: [], nextStep: 'x' }];
    await store.db.insertInto('snapshots').values({ device_id: 'dev-1', taken_at: 1, received_at: 1, snapshot_json: '{}', findings_json: JSON.stringify(findings), worst: 'warning' }).execute();
    await store.db.insertInto('tickets').values({
      id: 't1', number: 1001, title: 'Poste de l’accueil', description: 'Imprimante', requester_name: 'x', requester_phone: null, requester_email: null, category: 'other',
      impact: 'low', urgency: 'low', priority: 'P4', status: 'new', waiting_reason: null, escalation_reason: null, level: 'L1', assignee_id: null, resolution: null,
      solution_type: null, version: 1, created_at: 1, updated_at: 1, resolved_at: null, closed_at: null, due_at: null, due_sort: 1, support_code_id: null, created_by: 'admin', search: '',
    }).execute();
    await store.db.insertInto('ticket_devices').values({ ticket_id: 't1', device_id: 'dev-1', position: 0 }).execute();
    const first = await suggestions.forTicket(1001);
    expect(first.findingCodes).toEqual(['disk.full']);
    expect(first.suggestions[0]).toMatchObject({ reason: 'findings', matchedCodes: ['disk.full'], article: { title: 'Disque plein' }, vote: null });
    expect(first.suggestions.some((s) => s.reason === 'text' && s.article.title === 'Imprimante hors ligne')).toBe(true);
    // Voting: one vote per ticket, changeable, counted on the article.
    const id = first.suggestions[0]!.article.id;
    expect(await feedback.vote(id, 't1', 'helped', 'admin')).toEqual({ helped: 1, notHelped: 0, vote: 'helped' });
    expect(await feedback.vote(id, 't1', 'not_helped', 'admin')).toEqual({ helped: 0, notHelped: 1, vote: 'not_helped' });
    expect(await feedback.vote(id, 't1', null, 'admin')).toEqual({ helped: 0, notHelped: 0, vote: null });
    await feedback.vote(id, 't1', 'not_helped', 'admin');
    const after = await suggestions.forTicket(1001);
    expect(after.suggestions.at(-1)).toMatchObject({ article: { id }, vote: 'not_helped' });
    expect((await suggestions.forDevice('dev-1')).suggestions.map((s) => s.article.id)).toEqual([id]);
  });
});

describe('drafts', () => {
  it('escape what a device reported, so it shows as typed and never becomes a link or a list', () => {
    for (const hostile of ['[click](https://evil.example)', '<img src=x onerror=alert(1)>', '# Heading', '1. item', '- item', '**bold** `code` ~x~ ![i](https://x/i.png)', 'a\\b']) {
      const html = renderMarkdown(`- ${escapeMarkdown(hostile)}`);
      expect(html, hostile).not.toMatch(/<img|<h1|<strong|<code|<ol|<ul>\s*<li>\s*<ul/);
      // A bare address is linked as the safe renderer links any (http(s) only): never under other words.
      for (const m of html.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)) expect(m[2], hostile).toBe(m[1]);
      expect(markdownToPlainLine(`- ${escapeMarkdown(hostile)}`), hostile).toBe(hostile);
    }
    expect(escapeMarkdown('clear-old-temp 2.5')).toBe('clear-old-temp 2.5');
  });
});

describe('finding codes', () => {
  it('every code written in a check is in FINDING_CODES', () => {
    const codes = new Set<string>(FINDING_CODES);
    for (const file of ['health-checks', 'printer-checks', 'security-checks', 'connection-checks']) {
      const source = readFileSync(join(repoRoot, 'protocol', `${file}.ts`), 'utf8');
      for (const m of source.matchAll(/\bid: [`']([a-z][a-z.-]*[a-z])(?=[:'`])/g)) expect(codes, `${file}: ${m[1]}`).toContain(m[1]);
    }
  });

  it('every code the checks produce on troubled random snapshots is in FINDING_CODES', () => {
    const codes = new Set<string>(FINDING_CODES);
    const troubled = (arbitraryFor(snapshot) as fc.Arbitrary<Snapshot>).map((s) => ({
      ...s,
      storage: s.storage && { ...s.storage, filesystems: s.storage.filesystems.map((f) => ({ ...f, usePercent: 99, sizeBytes: Math.max(f.sizeBytes, 1), type: 'ext4' })) },
      printers: s.printers && { ...s.printers, available: true },
    }));
    fc.assert(fc.property(troubled, (s) => {
      for (const f of runHealthChecks(s)) expect(codes, f.id).toContain(findingCodeOf(f.id));
    }), { numRuns: 80, seed: 0x17 });
  });
});
