/**
 * Satisfaction over REST (README route table): a technician makes a fresh single-use link
 * for the resolution e-mail of a resolved ticket; only administrators read the answers.
 */
import { Router } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import { surveyAnswersAnswer, surveyAnswersQuery, surveyLinkAnswer } from '../../../protocol/satisfaction-model.js';
import type { AuditLog } from '../audit/audit.js';
import type { SurveyStore } from '../satisfaction/survey-store.js';
import { answer } from './answer.js';
import { reportFilters } from './report-routes.js';
import { requireAdminTo } from './guards.js';
import { clientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';

export interface SatisfactionDeps {
  readonly surveys: SurveyStore;
  readonly audit: AuditLog;
  readonly origins: OwnOrigins;
}

export function satisfactionRoutes(deps: SatisfactionDeps): Router {
  const routes = Router();

  routes.post('/tickets/:number/survey-link', async (req, res) => {
    const m = /^(?:#|%23)?([1-9][0-9]{0,8})$/.exec(String(req.params.number));
    if (!m) throw new RelaisError('TICKET_ERR_NOT_FOUND');
    const number = Number(m[1]);
    const { token, survey } = await deps.surveys.issueLink(number, 'mail');
    deps.audit.note({ actor: req.account!.username, action: 'survey.link-issued', target: `#${number}`, detail: { surveyId: survey.id }, ip: clientIp(req) });
    answer(res, surveyLinkAnswer, { url: `${deps.origins.baseUrl(req.headers.host)}/survey/${token}`, expiresAt: survey.expires_at, ticketNumber: number, language: survey.language }, 201);
  });

  routes.get('/satisfaction/answers', requireAdminTo('read the satisfaction answers'), async (req, res) => {
    // The dashboard's filters (and a page): refused as a report filter, not as a person's answer.
    answer(res, surveyAnswersAnswer, await deps.surveys.answers(reportFilters(surveyAnswersQuery, req.query)));
  });

  return routes;
}
