/**
 * `GET /download/agent/:platform?code=CODE`: the agent executable with this support
 * session attached (the controller's address and the code, as a trailer), so that the
 * person starts it with a double click. The person has no account: the code is the
 * authorisation (valid, unused, unexpired, with the support page's throttle on wrong
 * guesses), and each address gets a few downloads at a time. The answer is streamed
 * with its exact Content-Length; the file is never copied in memory. Each download is audited
 * (`agent.downloaded`: the link, the platform, the size).
 */
import type { Request, Response } from 'express';
import { RelaisError, errorWords } from '../../../protocol/index.js';
import { encodeTrailerPayload, isAgentPlatform } from '../../../protocol/executable/index.js';
import { RateLimit } from '../auth/rate-limit.js';
import type { AgentExecutables } from '../downloads/agent-executables.js';
import type { AuditLog } from '../audit/audit.js';
import { clientIp } from './origin.js';
import { visitorLanguage } from './server-language.js';
import type { SupportPageDeps } from './support-page.js';

/** Downloads of 80–130 MB: 5 at once per address, then one every 2 minutes. */
export const DOWNLOAD_RATE = Object.freeze({ burst: 5, everyMs: 120_000 });

export function agentDownload(deps: SupportPageDeps & { readonly executables: AgentExecutables; readonly audit: AuditLog }) {
  const downloads = new RateLimit(DOWNLOAD_RATE);
  return async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const language = visitorLanguage(req);
    const ip = clientIp(req);
    const refuse = (err: RelaisError, retryAfterMs = 0) => {
      if (retryAfterMs > 0) res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      res.status(err.status).json({ error: { code: err.code, message: language === 'en' ? err.message : errorWords(err.code, language) } });
    };
    const platform = req.params.platform;
    if (!isAgentPlatform(platform)) return refuse(new RelaisError('HTTP_ERR_NOT_FOUND'));
    const throttled = deps.throttle.retryAfterMs(`link:${ip}`);
    if (throttled > 0) return refuse(new RelaisError('AUTH_ERR_THROTTLED'), throttled);
    const code = typeof req.query.code === 'string' ? req.query.code.replace(/[\s-]/g, '') : '';
    let linkId: string;
    try {
      if (!/^\d{9}$/.test(code)) throw new RelaisError('AUTH_ERR_BAD_CODE');
      linkId = (await deps.codes.inspect(code)).id;
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      if (err.code === 'AUTH_ERR_BAD_CODE') deps.throttle.fail(`link:${ip}`);
      return refuse(err);
    }
    if (!downloads.allows(`download:${ip}`)) return refuse(new RelaisError('AUTH_ERR_THROTTLED'), downloads.retryAfterMs(`download:${ip}`));
    const controller = deps.origins.baseUrl(req.headers.host);
    const download = await deps.executables.download(platform, encodeTrailerPayload({ v: 1, controller, code, lang: language }));
    if (!download) return refuse(new RelaisError('HTTP_ERR_NOT_FOUND'));
    res.setHeader('Content-Type', platform.startsWith('win-') ? 'application/vnd.microsoft.portable-executable' : 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename="${download.fileName}"`);
    res.setHeader('Content-Length', String(download.length));
    // A HEAD only asks the size: no download to count or audit.
    if (req.method === 'HEAD') {
      download.body.destroy();
      return void res.end();
    }
    downloads.take(`download:${ip}`);
    deps.audit.note({ actor: `link:${linkId}`, action: 'agent.downloaded', target: linkId, detail: { platform, bytes: download.length }, ip });
    res.on('close', () => download.body.destroy());
    download.body.on('error', () => res.destroy());
    download.body.pipe(res);
  };
}
