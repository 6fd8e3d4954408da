/** Hash routes: the app's screens and their addresses. */

export type Route =
  | { name: 'login' }
  | { name: 'dashboard' }
  | { name: 'device'; deviceId: string }
  | { name: 'deviceShell'; deviceId: string; channel: number }
  | { name: 'fleet' }
  | { name: 'enroll' }
  | { name: 'scripts' }
  | { name: 'script'; scriptId: string | null }
  | { name: 'jobs' }
  | { name: 'job'; jobId: string }
  | { name: 'settings' }
  | { name: 'audit' }
  | { name: 'tickets' }
  | { name: 'newTicket'; deviceId: string | null }
  | { name: 'ticket'; ticketNumber: number }
  | { name: 'reports' }
  | { name: 'knowledge' }
  | { name: 'article'; articleId: string }
  | { name: 'articleEdit'; articleId: string | null; fromTicket: number | null };

const ID = '([A-Za-z0-9_-]{1,64})';
const SIMPLE: Record<string, Route> = {
  '/login': { name: 'login' },
  '/audit': { name: 'audit' },
  '/fleet': { name: 'fleet' },
  '/fleet/enroll': { name: 'enroll' },
  '/scripts': { name: 'scripts' },
  '/scripts/new': { name: 'script', scriptId: null },
  '/jobs': { name: 'jobs' },
  '/settings': { name: 'settings' },
  '/tickets': { name: 'tickets' },
  '/tickets/new': { name: 'newTicket', deviceId: null },
  '/reports': { name: 'reports' },
  '/knowledge': { name: 'knowledge' },
  '/knowledge/new': { name: 'articleEdit', articleId: null, fromTicket: null },
};

/** Reads a route from `location.hash`; anything unknown is the dashboard. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const simple = SIMPLE[path];
  if (simple) return simple;
  const device = new RegExp(`^/devices/${ID}$`).exec(path);
  if (device?.[1]) return { name: 'device', deviceId: device[1] };
  const shell = new RegExp(`^/devices/${ID}/shell/([1-9][0-9]{0,9})$`).exec(path);
  if (shell?.[1] && shell[2] && Number(shell[2]) <= 0xffff_ffff) return { name: 'deviceShell', deviceId: shell[1], channel: Number(shell[2]) };
  const script = new RegExp(`^/scripts/${ID}$`).exec(path);
  if (script?.[1]) return { name: 'script', scriptId: script[1] };
  const job = new RegExp(`^/jobs/${ID}$`).exec(path);
  if (job?.[1]) return { name: 'job', jobId: job[1] };
  // A new ticket for a device (its page's "New ticket"): the device goes on the ticket.
  const forDevice = new RegExp(`^/tickets/new/device/${ID}$`).exec(path);
  if (forDevice?.[1]) return { name: 'newTicket', deviceId: forDevice[1] };
  const ticket = /^\/tickets\/([1-9][0-9]{0,8})$/.exec(path);
  if (ticket?.[1]) return { name: 'ticket', ticketNumber: Number(ticket[1]) };
  const fromTicket = /^\/knowledge\/new\/ticket\/([1-9][0-9]{0,8})$/.exec(path);
  if (fromTicket?.[1]) return { name: 'articleEdit', articleId: null, fromTicket: Number(fromTicket[1]) };
  const article = new RegExp(`^/knowledge/${ID}(/edit)?$`).exec(path);
  if (article?.[1]) return article[2] ? { name: 'articleEdit', articleId: article[1], fromTicket: null } : { name: 'article', articleId: article[1] };
  return { name: 'dashboard' };
}

/** The hash for a route. */
export function hashOf(route: Route): string {
  switch (route.name) {
    case 'login':
      return '#/login';
    case 'dashboard':
      return '#/';
    case 'device':
      return `#/devices/${encodeURIComponent(route.deviceId)}`;
    case 'deviceShell':
      return `#/devices/${encodeURIComponent(route.deviceId)}/shell/${route.channel}`;
    case 'fleet':
      return '#/fleet';
    case 'enroll':
      return '#/fleet/enroll';
    case 'scripts':
      return '#/scripts';
    case 'script':
      return route.scriptId ? `#/scripts/${encodeURIComponent(route.scriptId)}` : '#/scripts/new';
    case 'jobs':
      return '#/jobs';
    case 'job':
      return `#/jobs/${encodeURIComponent(route.jobId)}`;
    case 'settings':
      return '#/settings';
    case 'audit':
      return '#/audit';
    case 'tickets':
      return '#/tickets';
    case 'newTicket':
      return route.deviceId === null ? '#/tickets/new' : `#/tickets/new/device/${encodeURIComponent(route.deviceId)}`;
    case 'ticket':
      return `#/tickets/${route.ticketNumber}`;
    case 'reports':
      return '#/reports';
    case 'knowledge':
      return '#/knowledge';
    case 'article':
      return `#/knowledge/${encodeURIComponent(route.articleId)}`;
    case 'articleEdit':
      return route.articleId ? `#/knowledge/${encodeURIComponent(route.articleId)}/edit` : route.fromTicket ? `#/knowledge/new/ticket/${route.fromTicket}` : '#/knowledge/new';
  }
}
