/**
 * "Document this fix": an article drafted from a resolved ticket, for the technician to
 * read, correct and save. Symptoms: the ticket's description, what the person said and the
 * findings the device showed when it joined; steps: the resolution and the scripts that
 * actually ran on the ticket's devices while it was open; finding codes: those of the join
 * snapshots. Text that came from a device (finding titles) is escaped as Markdown, so a
 * hostname cannot turn into a link in the draft.
 */
import { findingCodeOf, FINDING_CODES, type FindingCode } from '../../../protocol/findings.js';
import { RelaisError, translator, type Language } from '../../../protocol/index.js';
import { KB_LIMITS, type ArticleFields } from '../../../protocol/knowledge-model.js';
import type { TicketCategory } from '../../../protocol/ticket-model.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import type { Db } from '../store/database.js';
import { knowledgeCatalog } from './knowledge-catalog.js';

const KNOWN_CODES: ReadonlySet<string> = new Set(FINDING_CODES);
/** Findings listed in a draft's symptoms, and lines of what the person said. */
const DRAFT_FINDINGS = 12;
const DRAFT_PERSON_LINES = 3;

/** Markdown's inline syntax escaped, and what would start a block (a heading, a list, a quote): the text shows as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~!]/g, (c) => `\\${c}`).replace(/^(\s*)([#+\->=])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface TicketDraft {
  draft: ArticleFields & { sourceTicket: number };
  scriptsRun: string[];
}

export class TicketDrafts {
  constructor(private readonly db: Db, private readonly diagnostics: DiagnosticsStore, private readonly now: () => number = Date.now) {}

  async draft(number: number, language: Language): Promise<TicketDraft> {
    const w = translator(knowledgeCatalog, language);
    const ticket = await this.db.selectFrom('tickets').select(['id', 'title', 'description', 'category', 'status', 'resolution', 'created_at', 'resolved_at'])
      .where('number', '=', number).executeTakeFirst();
    if (!ticket) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') throw new RelaisError('KB_ERR_TICKET_NOT_RESOLVED');
    const [events, devices] = await Promise.all([
      this.db.selectFrom('ticket_events').select(['kind', 'data_json']).where('ticket_id', '=', ticket.id).where('kind', 'in', ['findings', 'person_described'])
        .orderBy('id').limit(200).execute(),
      this.db.selectFrom('ticket_devices').select('device_id').where('ticket_id', '=', ticket.id).orderBy('position').limit(10).execute(),
    ]);
    const said = events.filter((e) => e.kind === 'person_described').map((e) => String((JSON.parse(e.data_json) as { text?: unknown }).text ?? '')).filter(Boolean).slice(0, DRAFT_PERSON_LINES);
    const joins = events.filter((e) => e.kind === 'findings').map((e) => JSON.parse(e.data_json) as { deviceId?: string; snapshotId?: number; join?: boolean }).filter((d) => d.join === true && d.deviceId && d.snapshotId);

    // The join snapshots; a device with none (joined before the ticket) gives its latest.
    const titles: string[] = [];
    const codes = new Set<FindingCode>();
    const snapshots = await Promise.all([
      ...joins.map((j) => this.diagnostics.get(j.deviceId!, j.snapshotId!)),
      ...devices.filter((d) => !joins.some((j) => j.deviceId === d.device_id)).map((d) => this.diagnostics.latest(d.device_id)),
    ]);
    for (const stored of snapshots) {
      if (!stored) continue;
      for (const f of this.diagnostics.inLanguage(stored, language).findings) {
        const code = findingCodeOf(f.id);
        // Information findings (a long uptime, a failed probe) rarely are the problem solved: not proposed as codes.
        if (KNOWN_CODES.has(code) && f.severity !== 'info') codes.add(code as FindingCode);
        if (titles.length < DRAFT_FINDINGS && !titles.includes(f.title)) titles.push(f.title);
      }
    }

    const scriptsRun = await this.scriptsRun(devices.map((d) => d.device_id), ticket.created_at, ticket.resolved_at ?? this.now());
    const symptoms = [
      ticket.description.trim(),
      said.length > 0 ? [`**${w('draftPersonSaid')}**`, ...said.map((line) => `> ${escapeMarkdown(line)}`)].join('\n') : '',
      titles.length > 0 ? [`**${w('draftFindings')}**`, ...titles.map((t) => `- ${escapeMarkdown(t)}`)].join('\n') : '',
    ].filter(Boolean).join('\n\n');
    const steps = [
      (ticket.resolution ?? '').trim(),
      scriptsRun.length > 0 ? [`**${w('draftScripts')}**`, ...scriptsRun.map((s) => `- \`${s.name}\` — ${escapeMarkdown(s.title)}`)].join('\n') : '',
    ].filter(Boolean).join('\n\n');
    const fixed = scriptsRun.filter((s) => s.succeeded).at(-1);
    return {
      draft: {
        title: fit(ticket.title, KB_LIMITS.title),
        symptoms: fit(symptoms, KB_LIMITS.symptoms),
        cause: '',
        steps: fit(steps, KB_LIMITS.steps),
        category: ticket.category as TicketCategory,
        tags: [],
        findingCodes: [...codes].slice(0, KB_LIMITS.findingCodes),
        scriptName: fixed?.name ?? null,
        visibility: 'internal',
        sourceTicket: number,
      },
      scriptsRun: scriptsRun.map((s) => s.name),
    };
  }

  /** Library scripts that started on these devices while the ticket was open, first run first, each once. */
  private async scriptsRun(deviceIds: readonly string[], from: number, to: number): Promise<Array<{ name: string; title: string; succeeded: boolean }>> {
    if (deviceIds.length === 0) return [];
    const rows = await this.db.selectFrom('job_runs')
      .innerJoin('jobs', 'jobs.id', 'job_runs.job_id')
      .innerJoin('scripts', 'scripts.name', 'jobs.script_name')
      .select(['jobs.script_name', 'scripts.title', 'job_runs.status'])
      .where('job_runs.device_id', 'in', [...deviceIds])
      .where('jobs.created_at', '>=', from).where('jobs.created_at', '<=', to)
      .where('job_runs.started_at', 'is not', null)
      .orderBy('jobs.created_at').limit(100).execute();
    const byName = new Map<string, { name: string; title: string; succeeded: boolean }>();
    for (const r of rows) {
      const seen = byName.get(r.script_name);
      byName.set(r.script_name, { name: r.script_name, title: r.title, succeeded: (seen?.succeeded ?? false) || r.status === 'succeeded' });
    }
    return [...byName.values()].slice(0, 20);
  }
}
