/**
 * The device page's body, laid out for the moment of the call.
 *
 * Before a shell ("overview"): findings first, then the remote shell card, then the
 * diagnostics details and the history, one under the other. Once a shell is asked
 * for, open, or ended but still readable ("workspace"): the terminal is the main
 * pane, sized to the window below the page header and using the full width, with
 * findings, the chat with the person, diagnostics and history in tabs beside it; the terminal gets a search box
 * over its scrollback and a full-screen mode.
 *
 * The shell panel is not reached into: the layout follows its status line
 * (`data-state`) and whether a terminal is drawn in it.
 */
import { el, icon, replaceChildren } from '../ui/dom.js';
import { watchAbove } from '../ui/watch-above.js';
import { formats, wordsOf } from '../app/language.js';
import { visibleTerminal, type TerminalTools } from '../shell/terminal-addons.js';
import { workspaceCatalog } from './workspace-catalog.js';

const t = wordsOf(workspaceCatalog);

type Tab = 'findings' | 'chat' | 'diagnostics' | 'history';
const TABS: readonly Tab[] = ['findings', 'chat', 'diagnostics', 'history'];
const TAB_WORDS = { findings: 'tabFindings', chat: 'tabChat', diagnostics: 'tabDiagnostics', history: 'tabHistory' } as const;
const ACTIVE_STATES = new Set(['requesting', 'pending', 'starting', 'live']);

const SEARCH_DECORATIONS = {
  matchBackground: '#3a4760',
  matchOverviewRuler: '#8fb4ff',
  activeMatchBackground: '#c08a2c',
  activeMatchColorOverviewRuler: '#f6c177',
};

export interface WorkspaceParts {
  /** The remote shell card. */
  shell: HTMLElement;
  /** The findings card. */
  findings: HTMLElement;
  /** The chat with the person. */
  chat: HTMLElement[];
  /** Diagnostics details, managed facts, what the agent reported at connection. */
  diagnostics: HTMLElement[];
  /** History and compare, recordings. */
  history: HTMLElement[];
}

export class DeviceWorkspace {
  readonly root: HTMLElement;
  private layout: 'overview' | 'workspace' = 'overview';
  private tab: Tab = 'findings';
  private full: 'no' | 'native' | 'css' = 'no';
  private escLocked = false;
  private readonly tabButtons: Record<Tab, HTMLButtonElement>;
  private readonly panes: Record<Tab, HTMLElement>;
  private readonly main: HTMLElement;
  private readonly fullButton = el('button', { class: 'btn btn-ghost btn-small workspace-full', type: 'button', 'data-testid': 'terminal-fullscreen' });
  private readonly fullHint = el('p', { class: 'fullscreen-hint', 'data-testid': 'fullscreen-hint', hidden: true });
  private readonly searchInput = el('input', { class: 'terminal-search-input', type: 'search', 'data-testid': 'terminal-search', spellcheck: 'false', autocomplete: 'off' });
  private readonly searchCount = el('span', { class: 'terminal-search-count', 'data-testid': 'terminal-search-count', 'aria-live': 'polite' });
  private readonly prevButton = el('button', { class: 'btn btn-ghost btn-small btn-square', type: 'button', 'data-testid': 'terminal-search-previous' }, icon('chevronUp'));
  private readonly nextButton = el('button', { class: 'btn btn-ghost btn-small btn-square', type: 'button', 'data-testid': 'terminal-search-next' }, icon('chevronDown'));
  private searchTarget: TerminalTools | null = null;
  private stopResults: (() => void) | null = null;
  private stopWatchingAbove: (() => void) | null = null;
  private readonly observer: MutationObserver;
  private readonly skeleton = el('div', { class: 'details-skeleton', 'aria-hidden': 'true' },
    el('span', { class: 'skeleton skeleton-title' }), el('span', { class: 'skeleton skeleton-card' }), el('span', { class: 'skeleton skeleton-card' }));

  private readonly onWindowResize = () => this.measure();
  private readonly onFullscreenChange = () => {
    const native = document.fullscreenElement === this.main;
    if (!native && this.full === 'native') this.full = 'no';
    if (native) this.full = 'native';
    if (!native) this.unlockEscape();
    this.renderFull();
  };

  constructor(private readonly parts: WorkspaceParts) {
    this.tabButtons = {} as Record<Tab, HTMLButtonElement>;
    this.panes = {} as Record<Tab, HTMLElement>;
    const contents: Record<Tab, HTMLElement[]> = {
      findings: [parts.findings],
      chat: parts.chat,
      // The skeleton holds the place of the details until the first diagnostics arrive.
      diagnostics: [this.skeleton, ...parts.diagnostics],
      history: parts.history,
    };
    for (const tab of TABS) {
      const button = el('button', {
        class: 'workspace-tab', type: 'button', role: 'tab', id: `workspace-tab-${tab}`,
        'aria-controls': `workspace-pane-${tab}`, 'data-testid': `workspace-tab-${tab}`,
        onclick: () => this.select(tab),
      });
      this.tabButtons[tab] = button;
      this.panes[tab] = el('div', {
        class: `workspace-pane workspace-pane-${tab}`, role: 'tabpanel', id: `workspace-pane-${tab}`,
        'aria-labelledby': `workspace-tab-${tab}`, 'data-pane': tab,
      }, ...contents[tab]);
    }
    const tabs = el('div', { class: 'workspace-tabs', role: 'tablist', onkeydown: (e) => this.onTabKey(e as KeyboardEvent) }, ...TABS.map((tab) => this.tabButtons[tab]));
    const search = el('div', { class: 'terminal-search', role: 'search' },
      icon('search', 15), this.searchInput, this.searchCount, this.prevButton, this.nextButton);
    const toolbar = el('div', { class: 'workspace-toolbar', role: 'toolbar' }, search, this.fullHint, this.fullButton);
    this.main = el('div', { class: 'workspace-main', 'data-testid': 'workspace-main', onkeydown: (e) => this.onMainKey(e as KeyboardEvent) }, toolbar, parts.shell);
    // Reading order: what looks wrong, the details, taking the hand, before and after. On
    // screen the stylesheet brings the shell card up beside (or right after) the findings.
    this.root = el('div', { class: 'device-body', 'data-layout': 'overview', 'data-testid': 'device-workspace' },
      tabs, this.panes.findings, this.panes.diagnostics, this.main, this.panes.chat, this.panes.history);

    // Ctrl+Shift+F from anywhere in the workspace, the terminal included (before xterm.js sees it).
    this.main.addEventListener('keydown', (event) => {
      if (event.ctrlKey && event.shiftKey && !event.altKey && event.key.toLowerCase() === 'f' && this.layout === 'workspace') {
        event.preventDefault();
        event.stopPropagation();
        this.searchInput.focus();
        this.searchInput.select();
      }
    }, { capture: true });
    this.fullButton.addEventListener('click', () => void this.toggleFullscreen());
    this.searchInput.addEventListener('input', () => this.find('next', true));
    this.searchInput.addEventListener('keydown', (e) => this.onSearchKey(e));
    this.prevButton.addEventListener('click', () => this.find('previous'));
    this.nextButton.addEventListener('click', () => this.find('next'));
    this.observer = new MutationObserver(() => this.update());
    this.observer.observe(parts.shell, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    window.addEventListener('resize', this.onWindowResize);
    document.addEventListener('fullscreenchange', this.onFullscreenChange);
    this.renderWords();
    this.update();
  }

  /** Re-measures the room left below the page header (call after the header changed). */
  refresh(): void {
    this.renderWords();
    this.measure();
  }

  dispose(): void {
    this.observer.disconnect();
    this.stopWatchingAbove?.();
    window.removeEventListener('resize', this.onWindowResize);
    document.removeEventListener('fullscreenchange', this.onFullscreenChange);
    this.stopResults?.();
    if (this.full !== 'no') void this.leaveFullscreen();
  }

  /** Overview or workspace, from the shell card's state. */
  private update(): void {
    const states = Array.from(this.parts.shell.querySelectorAll<HTMLElement>('[data-state]'), (node) => node.dataset.state ?? '');
    const terminalShown = this.parts.shell.querySelector('.xterm') !== null;
    const next = terminalShown || states.some((state) => ACTIVE_STATES.has(state)) ? 'workspace' : 'overview';
    if (next === this.layout) return;
    this.layout = next;
    this.root.dataset.layout = next;
    this.stopWatchingAbove?.();
    this.stopWatchingAbove = null;
    if (next === 'workspace') {
      this.measure();
      // Whatever above the workspace grows or appears later (the header's presence strip,
      // the connection banner) moves its top: re-measure then, or the terminal would
      // run past the bottom of the window.
      if (this.root.isConnected) this.stopWatchingAbove = watchAbove(this.root, () => this.measure());
      // The page header and the whole workspace fit the window: show them from the top.
      window.scrollTo({ top: 0, behavior: 'instant' });
    } else {
      if (this.full !== 'no') void this.leaveFullscreen();
      this.clearSearch();
    }
  }

  /** The workspace's height: what the window leaves below the page header. */
  private measure(): void {
    if (this.layout !== 'workspace' || !this.root.isConnected) return;
    const top = this.root.getBoundingClientRect().top + window.scrollY;
    this.root.style.setProperty('--workspace-top', `${Math.round(top)}px`);
  }

  private renderWords(): void {
    for (const tab of TABS) {
      const selected = tab === this.tab;
      const button = this.tabButtons[tab];
      button.textContent = t(TAB_WORDS[tab]);
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      this.panes[tab].dataset.selected = String(selected);
    }
    this.root.querySelector('.workspace-tabs')?.setAttribute('aria-label', t('sideLabel'));
    this.main.querySelector('.workspace-toolbar')?.setAttribute('aria-label', t('terminalTools'));
    this.searchInput.placeholder = t('searchPlaceholder');
    this.searchInput.setAttribute('aria-label', t('searchLabel'));
    this.prevButton.title = t('searchPrevious');
    this.prevButton.setAttribute('aria-label', t('searchPrevious'));
    this.nextButton.title = t('searchNext');
    this.nextButton.setAttribute('aria-label', t('searchNext'));
    this.renderFull();
  }

  private select(tab: Tab): void {
    this.tab = tab;
    this.renderWords();
    this.panes[tab].scrollTop = 0;
  }

  private onTabKey(event: KeyboardEvent): void {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const step = event.key === 'ArrowRight' ? 1 : TABS.length - 1;
    const next = TABS[(TABS.indexOf(this.tab) + step) % TABS.length]!;
    this.select(next);
    this.tabButtons[next].focus();
    event.preventDefault();
  }

  // ---- full screen ---------------------------------------------------------

  private async toggleFullscreen(): Promise<void> {
    if (this.full !== 'no') return this.leaveFullscreen();
    if (document.fullscreenEnabled && typeof this.main.requestFullscreen === 'function') {
      try {
        await this.main.requestFullscreen({ navigationUI: 'hide' });
        this.full = 'native';
        await this.lockEscape();
        this.renderFull();
        visibleTerminal(this.main)?.term.focus();
        return;
      } catch {
        // Refused (not allowed here): the page-sized fallback below.
      }
    }
    this.full = 'css';
    document.documentElement.classList.add('terminal-fullscreen-open');
    this.renderFull();
    visibleTerminal(this.main)?.term.focus();
  }

  private async leaveFullscreen(): Promise<void> {
    const wasNative = this.full === 'native';
    this.full = 'no';
    document.documentElement.classList.remove('terminal-fullscreen-open');
    this.unlockEscape();
    if (wasNative && document.fullscreenElement) {
      try {
        await document.exitFullscreen();
      } catch {
        // Already left (the browser's own Esc).
      }
    }
    this.renderFull();
  }

  /**
   * In real full screen, Chromium can keep a short Esc for the page (vim, less) and
   * leave full screen on a long press; elsewhere the browser takes Esc.
   */
  private async lockEscape(): Promise<void> {
    const keyboard = (navigator as Navigator & { keyboard?: { lock?: (keys: string[]) => Promise<void> } }).keyboard;
    try {
      await keyboard?.lock?.(['Escape']);
      this.escLocked = Boolean(keyboard?.lock);
    } catch {
      this.escLocked = false;
    }
  }

  private unlockEscape(): void {
    if (!this.escLocked) return;
    this.escLocked = false;
    (navigator as Navigator & { keyboard?: { unlock?: () => void } }).keyboard?.unlock?.();
  }

  private renderFull(): void {
    const on = this.full !== 'no';
    if (on) this.main.dataset.fullscreen = this.full;
    else delete this.main.dataset.fullscreen;
    this.fullButton.setAttribute('aria-pressed', String(on));
    this.fullButton.title = on ? t('leaveFullScreen') : t('fullScreen');
    replaceChildren(this.fullButton, icon(on ? 'minimize' : 'maximize', 15),
      el('span', { class: 'workspace-full-label' }, on ? t('leaveFullScreen') : t('fullScreen')));
    this.fullHint.hidden = !on;
    this.fullHint.textContent = !on ? '' : this.full === 'css' ? t('escOutsideToLeave') : this.escLocked ? t('holdEscToLeave') : t('escToLeave');
  }

  /** Esc outside the terminal (the toolbar, the status) leaves full screen; inside, it belongs to the program. */
  private onMainKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || this.full === 'no' || event.defaultPrevented) return;
    if (event.target instanceof Element && event.target.closest('.xterm')) return;
    event.preventDefault();
    void this.leaveFullscreen();
  }

  // ---- search --------------------------------------------------------------

  private find(direction: 'next' | 'previous', incremental = false): void {
    const tools = visibleTerminal(this.parts.shell);
    this.follow(tools);
    const query = this.searchInput.value;
    if (!tools || query === '') {
      tools?.search.clearDecorations();
      this.searchCount.textContent = '';
      return;
    }
    const options = { decorations: SEARCH_DECORATIONS, incremental };
    const found = direction === 'next' ? tools.search.findNext(query, options) : tools.search.findPrevious(query, options);
    if (!found) this.searchCount.textContent = t('searchNone');
  }

  /** Listens to the result count of the terminal being searched. */
  private follow(tools: TerminalTools | null): void {
    if (tools === this.searchTarget) return;
    this.stopResults?.();
    this.stopResults = null;
    this.searchTarget = tools;
    if (!tools) return;
    const subscription = tools.search.onDidChangeResults(({ resultIndex, resultCount }) => {
      this.searchCount.textContent = resultCount === 0 ? t('searchNone')
        : resultIndex < 0 ? t('searchMany', { count: formats.number(resultCount, 0) })
          : t('searchCount', { index: formats.number(resultIndex + 1, 0), count: resultCount });
    });
    this.stopResults = () => subscription.dispose();
  }

  private onSearchKey(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.find(event.shiftKey ? 'previous' : 'next');
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      const tools = visibleTerminal(this.parts.shell);
      this.clearSearch();
      tools?.term.focus();
    }
  }

  private clearSearch(): void {
    this.searchInput.value = '';
    this.searchCount.textContent = '';
    this.searchTarget?.search.clearDecorations();
    try {
      this.searchTarget?.term.clearSelection();
    } catch {
      // The terminal may already be gone.
    }
  }
}
