/** One shell in its own browser tab (#/devices/:id/shell/:channel): the terminal alone, taken over from any other tab. */
import type { AppContext, Page } from '../app/page.js';
import { el } from '../ui/dom.js';
import { wordsOf } from '../app/language.js';
import { shellCatalog } from './shell-catalog.js';
import { ShellPanel } from './shell-panel.js';

const t = wordsOf(shellCatalog);

export function createShellPage(app: AppContext, deviceId: string, channel: number): Page {
  const panel = new ShellPanel(deviceId, app.socket, app.store, { only: channel, me: app.me.user.username });
  return {
    root: el('div', { class: 'page shell-page', 'data-testid': 'shell-page' }, panel.presenceRoot, panel.root),
    get title() {
      const device = app.store.view(deviceId);
      return t('popOutTitle', { hostname: device?.hostname ?? t('theDevice') });
    },
    dispose() {
      panel.dispose();
    },
  };
}
