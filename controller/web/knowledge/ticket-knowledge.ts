/** The knowledge base's pieces on other pages: the ticket timeline's lines for fix runs, and where a ticket's fix may run. */
import type { AppContext } from '../app/page.js';
import { deviceLabel } from '../devices/device-store.js';
import type { TicketEventView } from '../tickets/tickets-api.js';
import { t } from './knowledge-wording.js';
import type { FixTarget } from './run-fix.js';

/** A fix run from an article, or its outcome, as a line of the ticket's timeline; `nameOf` names the device as the page does. */
export function fixEventText(e: TicketEventView, actor: string, nameOf: (deviceId: string, recorded: string) => string): string {
  const str = (key: string) => (typeof e.data[key] === 'string' ? (e.data[key] as string) : '');
  return e.kind === 'kb_fix_run'
    ? t('evFixRun', { actor, title: str('title'), script: str('scriptName'), hostname: nameOf(str('deviceId'), str('hostname')) })
    : t('evFixResult', { title: str('title'), status: (str('status') || 'error').replace('-', '_') });
}

/** The devices a fix may run on, read from the page's device store (loaded when it does not know them yet). */
export async function fixTargets(app: AppContext, deviceIds: readonly string[]): Promise<FixTarget[]> {
  const found = await Promise.all(deviceIds.slice(0, 10).map(async (id) => app.store.get(id) ?? (await app.store.load(id).catch(() => null)) ?? null));
  return found.flatMap((d) => (d ? [{ id: d.id, label: deviceLabel(d), managed: d.kind === 'managed' }] : []));
}
