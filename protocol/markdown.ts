/**
 * Markdown written by technicians (ticket notes, knowledge-base articles) rendered to HTML that is safe to
 * put in a page: one renderer for the web UI and the server-rendered support page, so both follow one rule.
 *
 * Safety does not rest on a sanitiser run afterwards but on what the parser may produce at all:
 * - raw HTML is never passed through (`html: false` escapes it as text);
 * - links keep only http(s) and mailto targets; anything else (javascript:, data:, file:, relative paths
 *   that a support page could resolve against the controller) stays plain text;
 * - images are not rendered (an image is a request the reader did not choose to make), their text stays;
 * - every link opens in a new tab without referrer or opener.
 */
import MarkdownIt from 'markdown-it';

/** Longest text the renderer accepts; callers bound their fields well below this. */
export const MARKDOWN_MAX_CHARS = 200_000;

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

function buildRenderer(): MarkdownIt {
  const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
  md.validateLink = (url: string): boolean => SAFE_LINK.test(url.trim());
  md.disable(['image']);
  const defaultOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    token.attrSet('target', '_blank');
    token.attrSet('rel', 'noopener noreferrer nofollow');
    return defaultOpen(tokens, idx, options, env, self);
  };
  return md;
}

let renderer: MarkdownIt | undefined;

/** HTML for `text`, safe to assign to innerHTML. Text beyond MARKDOWN_MAX_CHARS is cut, never parsed. */
export function renderMarkdown(text: string): string {
  renderer ??= buildRenderer();
  return renderer.render(text.length > MARKDOWN_MAX_CHARS ? text.slice(0, MARKDOWN_MAX_CHARS) : text);
}

/** The same text reduced to one line of plain words (lists, previews, search snippets). */
export function markdownToPlainLine(text: string, maxChars = 240): string {
  renderer ??= buildRenderer();
  const tokens = renderer.parse(text.length > MARKDOWN_MAX_CHARS ? text.slice(0, MARKDOWN_MAX_CHARS) : text, {});
  const words: string[] = [];
  for (const block of tokens) {
    for (const child of block.children ?? []) {
      if (child.type === 'text' || child.type === 'code_inline') words.push(child.content);
      else if (child.type === 'softbreak' || child.type === 'hardbreak') words.push(' ');
    }
    if (block.type.endsWith('_close') && block.block) words.push(' ');
  }
  const line = words.join('').replace(/\s+/g, ' ').trim();
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}
