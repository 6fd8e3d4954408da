/** `/s/:code`: the page the person needing help opens. It says who asks, what the agent does, and how to start it. */
import type { Request, Response } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import type { Throttle } from '../auth/throttle.js';
import { groupCode } from '../auth/tokens.js';
import type { SupportCodes } from '../support/support-codes.js';
import { clientIp } from './origin.js';
import type { OwnOrigins } from './own-origins.js';

export interface SupportPageDeps {
  readonly codes: SupportCodes;
  readonly throttle: Throttle;
  readonly organization: string;
  readonly origins: OwnOrigins;
}

export function supportPage(deps: SupportPageDeps) {
  return async (req: Request, res: Response) => {
    const code = String(req.params.code ?? '').replace(/\D/g, '');
    const ip = clientIp(req);
    res.setHeader('Cache-Control', 'no-store');
    if (deps.throttle.retryAfterMs(`link:${ip}`) > 0) return void res.status(429).send(problemPage(deps.organization, new RelaisError('AUTH_ERR_THROTTLED')));
    try {
      if (!/^\d{9}$/.test(code)) throw new RelaisError('AUTH_ERR_BAD_CODE');
      const info = await deps.codes.inspect(code);
      const base = deps.origins.baseUrl(req.headers.host);
      const link = `${base}/s/${code}`;
      res.send(invitationPage({ organization: deps.organization, technician: info.technician.name, code, link, command: `npx --yes ${base}/download/relais-agent.tgz join ${link}`, expiresAt: info.expiresAt }));
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      if (err.code === 'AUTH_ERR_BAD_CODE') deps.throttle.fail(`link:${ip}`);
      res.status(err.status).send(problemPage(deps.organization, err));
    }
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { color-scheme: light; --ink:#1f2733; --muted:#5b6675; --line:#e3e7ee; --brand:#2f6fde; --bg:#f5f7fb; }
  * { box-sizing: border-box; }
  body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
  main { max-width: 760px; margin: 48px auto; padding: 0 20px; }
  .card { background:#fff; border:1px solid var(--line); border-radius:14px; padding:28px 32px; box-shadow:0 6px 24px rgba(20,40,80,.06); }
  .brand { font-weight:700; color:var(--brand); letter-spacing:.02em; margin-bottom:8px; }
  h1 { font-size:26px; margin:0 0 6px; }
  .lead { color:var(--muted); margin:0 0 20px; }
  .code { font: 600 30px/1 ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing:.08em; background:#eef3fd; border-radius:10px; padding:12px 16px; display:inline-block; }
  h2 { font-size:17px; margin:26px 0 8px; }
  pre { background:#10151d; color:#e6edf3; padding:14px 16px; border-radius:10px; white-space:pre-wrap; word-break:break-all; font-size:14px; }
  ul { margin:6px 0 0; padding-left:20px; } li { margin:3px 0; }
  .cols { display:grid; grid-template-columns: 1fr 1fr; gap: 20px; }
  .yes li::marker { content:"✓  "; color:#1d8a4e; } .no li::marker { content:"✗  "; color:#c0392b; }
  .muted { color:var(--muted); font-size:14px; }
  @media (max-width: 640px) { .cols { grid-template-columns: 1fr; } }
`;

function shell(organization: string, title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — ${escape(organization)}</title><style>${STYLE}</style></head>
<body><main><div class="card"><div class="brand">${escape(organization)} · Relais remote assistance</div>${body}</div></main></body></html>`;
}

function invitationPage(p: { organization: string; technician: string; code: string; link: string; command: string; expiresAt: number }): string {
  const minutes = Math.max(1, Math.round((p.expiresAt - Date.now()) / 60000));
  return shell(p.organization, 'Remote assistance', `
<h1>${escape(p.technician)} from ${escape(p.organization)} would like to help you</h1>
<p class="lead">Your support code is below. It works once and expires in about ${minutes} minute${minutes === 1 ? '' : 's'}.</p>
<div class="code" data-testid="support-code">${escape(groupCode(p.code))}</div>
<h2>Start the Relais agent</h2>
<p>Open a terminal (Linux or macOS: <em>Terminal</em>; Windows: <em>PowerShell</em>) and run this one command. It needs <a href="https://nodejs.org/" rel="noreferrer">Node.js</a> 20 or newer.</p>
<pre data-testid="support-command">${escape(p.command)}</pre>
<div class="cols">
  <div><h2>What the agent does</h2><ul class="yes">
    <li>Shows ${escape(p.technician)} a summary of this computer: name, system, processor, memory, disks, network addresses.</li>
    <li>Asks <strong>you</strong>, in your terminal, before anything runs. No answer means no.</li>
    <li>Shows you everything that happens in a remote shell while it is open.</li>
  </ul></div>
  <div><h2>What it never does</h2><ul class="no">
    <li>Open a shell or run anything without your yes.</li>
    <li>Keep running after you end the session (Ctrl+C), or start again on its own.</li>
    <li>Read your files or screen in the background.</li>
  </ul></div>
</div>
<p class="muted">You can end the session at any time with Ctrl+C in the agent's terminal. Link: ${escape(p.link)}</p>`);
}

function problemPage(organization: string, err: RelaisError): string {
  return shell(organization, 'Support link', `<h1>This support link cannot be used</h1><p class="lead" data-testid="support-problem">${escape(err.message)}</p>`);
}
