/**
 * The knowledge base with a real controller and real agents (issue 17). The scenario: a
 * disk-full problem is solved on one enrolled device and documented once from its ticket;
 * the next device that connects with the same finding has that article suggested first on
 * its ticket before anyone types, and "Run this fix" runs the article's script there through
 * the job path (the device's own policy allows scripts), recorded on the ticket's timeline.
 * A person's device joined through a support link gets the suggestion too, the fix is refused
 * there (scripts run on enrolled devices only), and the person's support page shows the
 * article marked for them. Then bad input: every field refused by name, sizes bounded,
 * searches with FTS5 syntax never fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAgent, type RunningAgent } from '../helpers/agent-process.js';
import { connectConsole, type ConsoleClient } from '../helpers/console-client.js';
import { login, startController, type RunningController } from '../helpers/controller-process.js';
import { createEnrollmentToken, enrollAgent, runAgent, tempStateDir } from '../helpers/fleet.js';
import { apiWithToken, createScript, waitForJob, type Api } from '../helpers/jobs.js';
import { diskFullThresholds, showsDiskFull as waitForDiskFull } from '../helpers/knowledge.js';
import { eventually } from '../helpers/until.js';
import { knowledgeAnswers as K } from '../../protocol/knowledge-answers.js';

let c: RunningController;
let cookie: string;
let api: Api;
let console: ConsoleClient;
const agents: RunningAgent[] = [];

/** A call as the logged-in browser (cookie and our own Origin), with an optional language. */
async function call(method: string, path: string, body?: unknown, language?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${c.url}/api${path}`, {
    method,
    headers: { cookie, origin: c.url, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(language ? { 'accept-language': language } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function enrolled(name: string): Promise<{ deviceId: string; stateDir: string }> {
  const { token } = await createEnrollmentToken(c, cookie, { group: 'accueil', maxUses: 1 });
  const result = await enrollAgent(c, token, ['--name', name, '--policy-script', 'allow'], tempStateDir());
  if (result.exitCode !== 0 || !result.device) throw new Error(`enroll failed: ${result.agent.output()}`);
  return { deviceId: result.device.deviceId, stateDir: result.stateDir };
}

async function connect(stateDir: string): Promise<void> {
  const agent = runAgent(stateDir);
  agents.push(agent);
  await agent.waitFor(/Connected to/, 30_000);
}

async function newTicket(title: string, deviceIds: string[], description = ''): Promise<number> {
  const res = await call('POST', '/tickets', { title, description, requester: { name: 'Claire Martin', phone: null, email: null }, category: 'system', impact: 'medium', urgency: 'medium', deviceIds });
  expect(res.status).toBe(201);
  return res.json.ticket.number as number;
}

/** Waits for the ticket's timeline to show the device's findings (its snapshot is stored). */
async function findingsOn(number: number, deviceId: string): Promise<void> {
  await eventually(() => call('GET', `/tickets/${number}/timeline`), (r) => r.json.events.some((e: any) => e.kind === 'findings' && e.data.deviceId === deviceId), 30_000, `findings of ${deviceId} on #${number}`);
}

const showsDiskFull = (deviceId: string) => waitForDiskFull(c, cookie, console, deviceId);

const timelineKinds = async (number: number) => (await call('GET', `/tickets/${number}/timeline`)).json.events.map((e: any) => e.kind) as string[];

beforeAll(async () => {
  // A disk threshold every machine exceeds, so the disk finding is certain; the other checks kept quiet.
  c = await startController({ args: ['--thresholds', diskFullThresholds()] });
  cookie = await login(c);
  api = (await apiWithToken(c, cookie)).api;
  console = await connectConsole(c, cookie);
  await createScript(api, { name: 'clear-old-temp', body: 'echo "cleared old temporary files"\n' });
});
afterAll(async () => {
  await console?.close();
  await Promise.all(agents.map((a) => a.stop()));
  await c?.stop();
});

describe('a fix documented once is proposed, and runs, on the next device with the same finding', () => {
  let articleId = '';
  let second = { deviceId: '', stateDir: '' };
  let secondTicket = 0;

  it('solves the disk-full problem on a first device and documents it from the ticket', async () => {
    const first = await enrolled('compta-01');
    const number = await newTicket('Plus de place sur le poste de la compta', [first.deviceId], 'Les enregistrements échouent : « disque plein ».');
    await connect(first.stateDir);
    await findingsOn(number, first.deviceId);
    // The technician runs the script that fixes it, then resolves the ticket.
    const job = await api('POST', '/jobs', { scriptName: 'clear-old-temp', target: { deviceIds: [first.deviceId] } });
    expect(job.status).toBe(201);
    await waitForJob(api, job.json.job.id, (j) => j.counts.succeeded === 1);
    expect((await call('POST', `/tickets/${number}/actions`, { type: 'take' })).status).toBe(200);
    // Not yet resolved: nothing to document.
    expect((await call('GET', `/knowledge/drafts/${number}`)).json.error.code).toBe('KB_ERR_TICKET_NOT_RESOLVED');
    expect((await call('POST', `/tickets/${number}/actions`, { type: 'resolve', resolution: '1. Vider les fichiers temporaires anciens.\n2. Vérifier la place libre.', solutionType: 'fix' })).status).toBe(200);

    const { status, json } = await call('GET', `/knowledge/drafts/${number}`, undefined, 'fr-FR');
    expect(status).toBe(200);
    K.draft.parse(json);
    const draft = json.draft;
    expect(draft).toMatchObject({ title: 'Plus de place sur le poste de la compta', category: 'system', scriptName: 'clear-old-temp', sourceTicket: number, visibility: 'internal' });
    // Its codes are those of the snapshot taken when the device joined (its warnings), its symptoms list that snapshot's findings.
    const joinEvent = (await call('GET', `/tickets/${number}/timeline`)).json.events.find((e: any) => e.kind === 'findings' && e.data.join === true);
    const joined = (await call('GET', `/devices/${first.deviceId}/snapshots/${joinEvent.data.snapshotId}`, undefined, 'fr-FR')).json.snapshot;
    const codes = [...new Set(joined.findings.filter((f: any) => f.severity !== 'info').map((f: any) => f.id.split(':')[0]))];
    expect([...draft.findingCodes].sort()).toEqual(codes.sort());
    expect(draft.symptoms).toContain('« disque plein »');
    if (joined.findings.length > 0) expect(draft.symptoms).toContain('Ce que le poste montrait en se connectant');
    expect(draft.steps).toContain('Vider les fichiers temporaires anciens');
    expect(draft.steps).toContain('`clear-old-temp`');
    expect(json.scriptsRun).toEqual(['clear-old-temp']);

    // The technician keeps the code of the problem solved (the draft lists every warning the device showed).
    const created = await call('POST', '/knowledge/articles', { ...draft, title: 'Disque plein : libérer de la place', tags: ['disque', 'espace'], findingCodes: ['disk.full'], visibility: 'person' });
    expect(created.status).toBe(201);
    K.article.parse(created.json);
    articleId = created.json.article.id;
    expect(created.json.article).toMatchObject({ version: 1, sourceTicket: number, scriptName: 'clear-old-temp', author: { username: 'admin' } });
    expect(created.json.tickets).toEqual([expect.objectContaining({ number, relation: 'source', status: 'resolved' })]);
    expect(created.json.script).toMatchObject({ name: 'clear-old-temp' });
    const audit = await call('GET', '/audit?action=kb.article.created');
    expect(audit.json.entries[0]).toMatchObject({ actor: 'admin', target: articleId });
  });

  it('a second device that connects with the same finding has the article first on its ticket, before anyone types', async () => {
    second = await enrolled('accueil-02');
    // A ticket whose words say nothing of a disk: only the device's findings can find the article.
    secondTicket = await newTicket('Appel de Mme Leroy', [second.deviceId]);
    expect((await call('GET', `/knowledge/suggestions?ticket=${secondTicket}`)).json.suggestions).toEqual([]);
    await connect(second.stateDir);
    await findingsOn(secondTicket, second.deviceId);
    await showsDiskFull(second.deviceId);
    const { json } = await call('GET', `/knowledge/suggestions?ticket=${secondTicket}`);
    K.suggestions.parse(json);
    expect(json.findingCodes).toContain('disk.full');
    expect(json.suggestions[0]).toMatchObject({ reason: 'findings', matchedCodes: ['disk.full'], vote: null, article: { id: articleId, scriptName: 'clear-old-temp' } });
    // The device page asks the same for the device alone.
    expect((await call('GET', `/knowledge/suggestions?device=${second.deviceId}`)).json.suggestions[0].article.id).toBe(articleId);
  });

  it('"Run this fix" runs the script on that device through its policy and records it on the ticket', async () => {
    const run = await call('POST', `/knowledge/articles/${articleId}/run`, { deviceId: second.deviceId, ticketNumber: secondTicket });
    expect(run.status).toBe(201);
    K.run.parse(run.json);
    const { runs } = await waitForJob(api, run.json.job.id, (j) => j.counts.succeeded === 1);
    expect(runs[0]).toMatchObject({ deviceId: second.deviceId, status: 'succeeded', exitCode: 0 });
    const output = await api('GET', `/jobs/${run.json.job.id}/runs/${second.deviceId}`);
    expect(Buffer.from(output.json.run.stdout, 'base64').toString()).toBe('cleared old temporary files\n');
    await eventually(() => timelineKinds(secondTicket), (kinds) => kinds.includes('kb_fix_result'), 10_000, 'the fix result on the timeline');
    const events = (await call('GET', `/tickets/${secondTicket}/timeline`)).json.events as any[];
    expect(events.find((e) => e.kind === 'kb_fix_run').data).toMatchObject({ articleId, jobId: run.json.job.id, scriptName: 'clear-old-temp', deviceId: second.deviceId });
    expect(events.find((e) => e.kind === 'kb_fix_result').data).toMatchObject({ articleId, status: 'succeeded', exitCode: 0 });
    // It helped: one vote per ticket, changeable.
    expect((await call('PUT', `/knowledge/articles/${articleId}/feedback`, { ticketNumber: secondTicket, vote: 'helped' })).json).toEqual({ helped: 1, notHelped: 0, vote: 'helped' });
    expect((await call('PUT', `/knowledge/articles/${articleId}/feedback`, { ticketNumber: secondTicket, vote: 'helped' })).json).toEqual({ helped: 1, notHelped: 0, vote: 'helped' });
    const page = await call('GET', `/knowledge/articles/${articleId}`);
    expect(page.json.tickets.map((x: any) => [x.number, x.relation])).toEqual(expect.arrayContaining([[secondTicket, 'ran'], [secondTicket, 'helped']]));
    const audit = await call('GET', '/audit?action=kb.fix.run');
    expect(audit.json.entries[0]).toMatchObject({ target: articleId, detail: { ticket: secondTicket, deviceId: second.deviceId } });
  });

  it('a person\u2019s device joined through a support link gets the suggestion and the article on the support page; the fix is not run there', async () => {
    const number = await newTicket('Appel de M. Durand', []);
    const link = await call('POST', '/support-links', { ticketNumber: number });
    const agent = spawnAgent(['join', link.json.url, '--no-prompt']);
    agents.push(agent);
    const joined = await eventually(() => call('GET', `/tickets/${number}`), (r) => r.json.ticket.deviceIds.length === 1, 30_000, 'the agent on the ticket');
    const deviceId = joined.json.ticket.deviceIds[0] as string;
    await findingsOn(number, deviceId);
    await showsDiskFull(deviceId);
    expect((await call('GET', `/knowledge/suggestions?ticket=${number}`)).json.suggestions[0].article.id).toBe(articleId);
    const refused = await call('POST', `/knowledge/articles/${articleId}/run`, { deviceId, ticketNumber: number });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('JOB_ERR_NOT_MANAGED');
    // The person's page (the chat, once joined) shows the article marked for them, rendered as Markdown.
    const page = await (await fetch(link.json.url)).text();
    expect(page).toContain('data-testid="support-articles"');
    expect(page).toContain('Disque plein : libérer de la place');
    expect(page).toContain('<li>Vider les fichiers temporaires anciens.</li>');
  });

  it('an edit makes a new version whose diff is viewable; a stale edit is refused and nothing is lost', async () => {
    const current = (await call('GET', `/knowledge/articles/${articleId}`)).json.article;
    const { id: _id, author: _a, updatedBy: _u, createdAt: _c, updatedAt: _t, version, helped: _h, notHelped: _n, sourceTicket: _s, ...fields } = current;
    const edited = await call('PUT', `/knowledge/articles/${articleId}`, { ...fields, cause: 'Les fichiers temporaires ne sont jamais vidés.', expectedVersion: version });
    expect(edited.status).toBe(200);
    expect(edited.json.article.version).toBe(version + 1);
    const stale = await call('PUT', `/knowledge/articles/${articleId}`, { ...fields, title: 'Autre titre', expectedVersion: version }, 'fr-FR');
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('KB_ERR_VERSION_CONFLICT');
    expect(stale.json.error.message).toContain('Quelqu’un d’autre'.replaceAll('’', "'"));
    const diff = K.version.parse((await call('GET', `/knowledge/articles/${articleId}/versions/${version + 1}`)).json);
    K.versions.parse((await call('GET', `/knowledge/articles/${articleId}/versions`)).json);
    expect(diff.previous).toBe(version);
    expect(diff.diff).toEqual([{ field: 'cause', lines: [{ op: 'insert', text: 'Les fichiers temporaires ne sont jamais vidés.' }] }]);
    expect((await call('GET', `/knowledge/articles/${articleId}/versions`)).json.versions.map((v: any) => v.version)).toEqual([version + 1, version]);
  });
});

describe('bad input and search', () => {
  const valid = { title: 'Imprimante bloquée', symptoms: 'Rien ne sort.', steps: '1. Relancer le spouleur.', category: 'hardware' };

  it('names every refused field under KB_ERR_INVALID_FIELD, in the reader\u2019s language', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...valid, title: '' }, 'title', 'required'],
      [{ ...valid, title: 'x'.repeat(201) }, 'title', 'tooLong'],
      [{ ...valid, symptoms: '   ' }, 'symptoms', 'required'],
      [{ ...valid, symptoms: 'y'.repeat(10_001) }, 'symptoms', 'tooLong'],
      [{ ...valid, steps: undefined }, 'steps', 'required'],
      [{ ...valid, cause: 'a\u0007b' }, 'cause', 'format'],
      [{ ...valid, category: 'printers' }, 'category', 'notOneOf'],
      [{ ...valid, tags: ['two words'] }, 'tags.0', 'format'],
      [{ ...valid, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'tags', 'tooMany'],
      [{ ...valid, findingCodes: ['disk.fulll'] }, 'findingCodes.0', 'notOneOf'],
      [{ ...valid, scriptName: 'no-such-script' }, 'scriptName', 'notOneOf'],
      [{ ...valid, scriptName: 'Bad Name' }, 'scriptName', 'format'],
      [{ ...valid, visibility: 'public' }, 'visibility', 'notOneOf'],
      [{ ...valid, sourceTicket: 999_999 }, 'sourceTicket', 'notOneOf'],
      [{ ...valid, author: 'me' }, 'body', 'invalid'],
    ];
    for (const [body, path, reason] of cases) {
      const res = await call('POST', '/knowledge/articles', body, 'fr-FR');
      expect(res.status, path).toBe(400);
      expect(res.json.error.code, path).toBe('KB_ERR_INVALID_FIELD');
      expect(res.json.error.field?.path, path).toBe(path);
      if (reason !== 'invalid') expect(res.json.error.field?.reason, path).toBe(reason);
      expect(res.json.error.message, path).toContain('Un champ de l’article'.replaceAll('’', "'"));
    }
    expect((await call('GET', '/knowledge/articles?limit=0')).json.error).toMatchObject({ code: 'KB_ERR_INVALID_FIELD', field: { path: 'limit' } });
    expect((await call('GET', '/knowledge/articles?sort=x')).json.error.code).toBe('KB_ERR_INVALID_FIELD');

    // Every other door of the knowledge base names its refused field the same way.
    const { id } = (await call('POST', '/knowledge/articles', { ...valid, title: 'Écran noir au démarrage' })).json.article;
    const other: Array<[string, string, unknown, string, string]> = [
      ['PUT', `/knowledge/articles/${id}`, { ...valid }, 'expectedVersion', 'required'],
      ['PUT', `/knowledge/articles/${id}`, { ...valid, expectedVersion: 0 }, 'expectedVersion', 'tooSmall'],
      ['PUT', `/knowledge/articles/${id}`, { ...valid, expectedVersion: 1, title: 'x'.repeat(201) }, 'title', 'tooLong'],
      ['PUT', `/knowledge/articles/${id}/feedback`, { ticketNumber: 1, vote: 'maybe' }, 'vote', 'notOneOf'],
      ['PUT', `/knowledge/articles/${id}/feedback`, { vote: 'helped' }, 'ticketNumber', 'required'],
      ['POST', `/knowledge/articles/${id}/run`, { deviceId: 'not an id' }, 'deviceId', 'format'],
      ['POST', `/knowledge/articles/${id}/run`, {}, 'deviceId', 'required'],
      ['GET', `/knowledge/articles/${id}/versions?limit=500`, undefined, 'limit', 'tooLarge'],
      ['GET', `/knowledge/articles/${id}/versions?cursor=abc`, undefined, 'cursor', 'format'],
    ];
    for (const [method, path, body, field, reason] of other) {
      const res = await call(method, path, body, 'fr-FR');
      expect(res.status, `${method} ${path} ${field}`).toBe(400);
      expect(res.json.error, `${method} ${path} ${field}`).toMatchObject({ code: 'KB_ERR_INVALID_FIELD', field: { path: field, reason } });
      expect(res.json.error.message).toContain("Un champ de l'article");
    }
    // A suggestion asks for one ticket or one device: anything else is refused with the code.
    for (const query of ['', '?ticket=abc', '?device=a%20b', '?ticket=1&device=x']) {
      expect((await call('GET', `/knowledge/suggestions${query}`)).json.error.code, query).toBe('KB_ERR_INVALID_FIELD');
    }
  });

  it('bounds an article\u2019s size: a body past the limit is refused whole', async () => {
    const huge = await call('POST', '/knowledge/articles', { ...valid, steps: 'é'.repeat(100_000) });
    expect([400, 413]).toContain(huge.status);
    expect(huge.json.error.code).toMatch(/KB_ERR_INVALID_FIELD|HTTP_ERR_BAD_REQUEST/);
    const tooBig = await call('POST', '/knowledge/articles', JSON.stringify({ ...valid, steps: 'x'.repeat(200_000) }));
    expect(tooBig.status).toBe(413);
  });

  it('searches with FTS5 operators, quotes and unbalanced parentheses never fail', async () => {
    expect((await call('POST', '/knowledge/articles', valid)).status).toBe(201);
    for (const q of ['"', '((', 'imprimante)', 'NOT imprimante', 'imprimante OR', 'title:imprimante', '"imprimante', 'NEAR(a b', '*', '^imprim', 'bloq*ee']) {
      const res = await call('GET', `/knowledge/articles?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
    const found = await call('GET', `/knowledge/articles?q=${encodeURIComponent('IMPRIMANTE bloquee (')}`);
    K.list.parse(found.json);
    expect(found.json.articles.map((a: any) => a.title)).toEqual(['Imprimante bloquée']);
    expect(found.json.articles[0].titleMarks.length).toBe(2);
    expect(found.json.articles[0]).not.toHaveProperty('steps');
    expect((await call('GET', '/knowledge/articles/nope')).json.error.code).toBe('KB_ERR_NOT_FOUND');
    expect((await call('GET', '/knowledge/suggestions?ticket=999999')).json.error.code).toBe('TICKET_ERR_NOT_FOUND');
  });
});
