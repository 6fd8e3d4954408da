/** Markdown typed by technicians shown formatted; the one renderer in protocol/markdown.ts decides what is safe. */
import { renderMarkdown } from '../../../protocol/markdown.js';
import { el } from './dom.js';

export function markdownView(text: string, testId?: string): HTMLElement {
  const view = el('div', { class: 'markdown-text', 'data-testid': testId });
  // Safe by construction: the renderer escapes raw HTML and keeps only http(s)/mailto links.
  view.innerHTML = renderMarkdown(text);
  return view;
}
