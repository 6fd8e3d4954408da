/**
 * The xterm.js addons every remote terminal gets: Unicode 11 character widths
 * (emoji and CJK take two cells, so columns and wrapping match the shell's idea of
 * them), search in the scrollback, and clickable web links that open in a new tab
 * without giving that tab a handle on this one.
 *
 * Each terminal is registered against its pane so the workspace's search box can
 * find the terminal on screen without reaching into the shell panel.
 */
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import type { IDisposable, Terminal } from '@xterm/xterm';

export interface TerminalTools {
  readonly term: Terminal;
  readonly search: SearchAddon;
}

const registry = new WeakMap<HTMLElement, TerminalTools>();

/** Opens a link from the terminal in a new tab; `noopener` keeps the new page away from this one. */
function openLink(event: MouseEvent, uri: string): void {
  event.preventDefault();
  window.open(uri, '_blank', 'noopener,noreferrer');
}

/**
 * Loads the addons into `term` (already opened in `pane`) and registers it.
 * Needs the terminal to be created with `allowProposedApi: true` (the Unicode API).
 */
export function loadTerminalAddons(term: Terminal, pane: HTMLElement): IDisposable {
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  term.loadAddon(new WebLinksAddon(openLink));
  const search = new SearchAddon({ highlightLimit: 500 });
  term.loadAddon(search);
  const tools = { term, search };
  registry.set(pane, tools);
  // For browser tests: the terminal's buffer (cell widths) is read through the pane.
  Object.defineProperty(pane, 'relaisTerminal', { value: term, configurable: true });
  return {
    dispose: () => {
      if (registry.get(pane) === tools) registry.delete(pane);
      Reflect.deleteProperty(pane, 'relaisTerminal');
    },
  };
}

/** The terminal shown in `root`: the visible registered pane, the last one when several are. */
export function visibleTerminal(root: HTMLElement): TerminalTools | null {
  let found: TerminalTools | null = null;
  for (const pane of Array.from(root.querySelectorAll<HTMLElement>('[data-testid=terminal]'))) {
    const tools = registry.get(pane);
    if (tools && pane.offsetParent !== null && pane.querySelector('.xterm')) found = tools;
  }
  return found;
}
