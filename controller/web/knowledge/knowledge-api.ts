/** The knowledge routes (issue 17), each answer checked against the contract's schema (protocol/knowledge-answers.ts). */
import { knowledgeAnswers as K } from '../../../protocol/knowledge-answers.js';
import type { ArticleFields, ArticleVote } from '../../../protocol/knowledge-model.js';
import { request, send } from '../connection/api.js';

export type { ArticleListItem, FieldDiffView, Suggestion } from '../../../protocol/knowledge-answers.js';
export type { Article, ArticleContent, ArticleFields, ArticleVote, MarkedText } from '../../../protocol/knowledge-model.js';

const seg = encodeURIComponent;
const base = (id: string) => `/api/knowledge/articles/${seg(id)}`;

/** The list's search and filters as the controller reads them (empty ones left out). */
export interface ArticleFilter {
  q: string;
  category: string;
  code: string;
  visibility: string;
}

function listPath(filter: ArticleFilter, cursor: string | null, limit: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value.trim() !== '') params.set(key, value.trim());
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return `/api/knowledge/articles?${params.toString()}`;
}

export const knowledgeApi = {
  list: (filter: ArticleFilter, cursor: string | null, limit = 20) => request('GET', listPath(filter, cursor, limit), K.list),
  article: (id: string) => request('GET', base(id), K.article),
  create: (fields: ArticleFields & { sourceTicket?: number }) => request('POST', '/api/knowledge/articles', K.article, fields),
  update: (id: string, fields: ArticleFields, expectedVersion: number) => request('PUT', base(id), K.article, { ...fields, expectedVersion }),
  remove: (id: string) => send('DELETE', base(id)),
  versions: (id: string, cursor: number | null) => request('GET', `${base(id)}/versions${cursor ? `?cursor=${cursor}` : ''}`, K.versions),
  version: (id: string, version: number) => request('GET', `${base(id)}/versions/${version}`, K.version),
  draft: (ticketNumber: number) => request('GET', `/api/knowledge/drafts/${ticketNumber}`, K.draft),
  forTicket: (ticketNumber: number) => request('GET', `/api/knowledge/suggestions?ticket=${ticketNumber}`, K.suggestions),
  forDevice: (deviceId: string) => request('GET', `/api/knowledge/suggestions?device=${seg(deviceId)}`, K.suggestions),
  vote: (id: string, ticketNumber: number, vote: ArticleVote | null) => request('PUT', `${base(id)}/feedback`, K.feedback, { ticketNumber, vote }),
  run: (id: string, deviceId: string, ticketNumber?: number) =>
    request('POST', `${base(id)}/run`, K.run, { deviceId, ...(ticketNumber !== undefined ? { ticketNumber } : {}) }),
};
