import { describe, expect, it } from 'vitest';
import { markdownToPlainLine, renderMarkdown, MARKDOWN_MAX_CHARS } from '../../protocol/markdown.js';

describe('renderMarkdown', () => {
  it('renders the usual helpdesk formatting', () => {
    const html = renderMarkdown('# Fix\n\n1. Run `df -h`\n2. **Empty** the trash\n\n```\nrm -rf ~/.cache/thumbnails\n```');
    expect(html).toContain('<h1>Fix</h1>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<code>df -h</code>');
    expect(html).toContain('<strong>Empty</strong>');
    expect(html).toContain('<pre><code>rm -rf ~/.cache/thumbnails\n</code></pre>');
  });

  it('never passes raw HTML through', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\nok <b onclick="x()">b</b>');
    expect(html).not.toMatch(/<script|<img|<b /i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it.each([
    '[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x]( javascript:alert(1))', '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '[x](vbscript:msgbox)', '[x](file:///etc/passwd)', '[x](/api/me)', '[x](//evil.example/)', '<javascript:alert(1)>',
  ])('keeps an unsafe link as text: %s', (source) => {
    const html = renderMarkdown(source);
    expect(html).not.toContain('href=');
  });

  it('keeps http(s) and mailto links, opened apart from the page', () => {
    const html = renderMarkdown('[doc](https://support.example/kb?a=1&b=2) and mailto:help@example.org and www.example.org');
    expect(html).toContain('href="https://support.example/kb?a=1&amp;b=2"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('href="mailto:help@example.org"');
    expect(html).toContain('href="http://www.example.org"');
  });

  it('does not render images, and escapes attribute breakers in link targets', () => {
    expect(renderMarkdown('![tracker](https://t.example/p.png)')).not.toContain('<img');
    const html = renderMarkdown('[x](https://a.example/"onmouseover="alert(1))');
    expect(html).not.toContain('" onmouseover');
    expect(html).not.toMatch(/href="[^"]*"onmouseover/);
  });

  it('cuts text beyond the limit instead of parsing it', () => {
    const html = renderMarkdown('a'.repeat(MARKDOWN_MAX_CHARS) + 'TAIL');
    expect(html).not.toContain('TAIL');
  });
});

describe('markdownToPlainLine', () => {
  it('keeps the words and drops the marks', () => {
    expect(markdownToPlainLine('# Disque plein\n\nVider la **corbeille** puis `df -h`')).toBe('Disque plein Vider la corbeille puis df -h');
  });
  it('bounds the line', () => {
    const line = markdownToPlainLine('mot '.repeat(200), 20);
    expect(line.length).toBe(20);
    expect(line.endsWith('…')).toBe(true);
  });
});
