/**
 * No words a person or a technician reads are written in code: they live in a
 * catalog (a `*-catalog.ts` file, English and French side by side), so the next
 * feature cannot forget French. The scan reads the TypeScript syntax tree of the
 * agent, the web UI, the CLI and the support page, and flags every string that
 * looks like words (a capitalised word, two words or more, or a sentence's
 * punctuation), skipping what is code: imports, property names, CSS classes and
 * other attributes, DOM and event names. Anything else that is not for people
 * carries `// i18n-ignore: <why>` on its line or the line above.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

/** Where visible words are written: the person's agent, the technician's UI and CLI, the support page, findings and starter scripts. */
const SCANNED = [
  'agent', 'controller/web', 'controller/cli', 'controller/server/http/support-page.ts', 'controller/server/satisfaction/survey-page.ts',
  'controller/server/satisfaction/survey-html.ts', 'controller/server/store/starter-scripts.ts',
  'controller/server/store/printing-scripts.ts', 'protocol/health-checks.ts', 'protocol/printer-checks.ts', 'protocol/security-checks.ts',
  'protocol/connection-checks.ts', 'protocol/snapshot-diff.ts',
];

/** Attributes whose value is code, never words (values of other keys such as title or placeholder are words). */
const CODE_KEYS = new Set([
  'class', 'className', 'id', 'type', 'name', 'for', 'role', 'autocomplete', 'spellcheck', 'inputmode', 'href', 'src', 'method',
  'data-testid', 'testid', 'key', 'code', 'kind', 'status', 'state', 'reason', 'severity', 'mode', 'variant', 'tone', 'icon',
  'rel', 'target', 'pattern', 'accept', 'lang', 'dir', 'sandbox', 'loading', 'decoding', 'enterkeyhint', 'wrap', 'cursorStyle',
  'fontFamily', 'theme', 'encoding', 'stdio', 'shell', 'cwd', 'env', 'path', 'url', 'host', 'protocol', 'event', 'action',
]);

/** Calls whose string arguments are code: DOM and event names, selectors, attributes, modules, environment, streams. */
const CODE_CALLS = new Set([
  'el', 'createElement', 'createElementNS', 'querySelector', 'querySelectorAll', 'closest', 'matches', 'getElementById', 'addEventListener',
  'removeEventListener', 'setAttribute', 'getAttribute', 'removeAttribute', 'hasAttribute', 'toggleAttribute', 'add', 'remove', 'toggle',
  'contains', 'import', 'require', 'on', 'once', 'off', 'emit', 'setHeader', 'getHeader', 'get', 'has', 'delete', 'startsWith', 'endsWith',
  'includes', 'split', 'join', 'replace', 'replaceAll', 'indexOf', 'padStart', 'padEnd', 'spawn', 'execFile', 'fork', 'setEncoding',
  'RelaisError', 'fetch', 'Symbol', 'debug', 'postMessage', 'setProperty', 'getPropertyValue', 'createHash', 'createHmac', 'digest',
  'toString', 'localeCompare', 'reportError', 'getItem', 'setItem', 'removeItem', 'mark', 'measure', 'assert', 'scrollIntoView',
]);

/** Single words that are names, not text: keys, HTTP and DOM names, the product's own name. */
const NAMES = new Set([
  'Relais', 'R', 'Enter', 'Escape', 'Tab', 'Backspace', 'Delete', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End',
  'PageUp', 'PageDown', 'Content-Type', 'Authorization', 'Bearer', 'Accept', 'Accept-Language', 'Cookie', 'Origin', 'Host', 'Error',
  'TypeError', 'AbortError', 'SIGTERM', 'SIGINT', 'SIGKILL', 'SIGHUP', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'Linux', 'Windows',
  'Darwin', 'macOS', 'Node.js', 'PowerShell', 'Chromium', 'UTF-8', 'JSON', 'Ctrl', 'Shift', 'Alt', 'Meta', 'Control',
]);

export interface WordsHit {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** True when a string reads as words for people rather than as code. */
export function looksLikeWords(raw: string): boolean {
  const text = raw.replace(/\s+/g, ' ').trim();
  if (!/[A-Za-zÀ-ÿ]{2,}/.test(text)) return false;
  if (NAMES.has(text)) return false;
  if (/^[a-z0-9_.:/-]+$/.test(text)) return false; // identifiers, paths, codes, kebab-case, dotted keys
  if (/^[A-Z0-9_]+$/.test(text)) return false; // CONSTANT_CODES
  if (/^(--?[a-z][\w-]*|[.#][\w-]+|\w+\/[\w.+-]+|https?:|wss?:|\/)/.test(text)) return false; // flags, selectors, MIME types, URLs, paths
  if (/^[A-Z][a-z]+[A-Z]\w*$/.test(text)) return false; // PascalCase names
  if (/^[A-Z][a-z]+(-[A-Z][a-z]+)+$/.test(text)) return false; // Header-Names
  if (/^[A-Z][a-zà-ÿ]/.test(text)) return true; // a capitalised word or sentence
  if (/[A-Za-zà-ÿ]{2,}[ ][A-Za-zà-ÿ'’]{2,}/.test(text)) return true; // two words
  return /[A-Za-z]{2,}[.?!…]$/.test(text);
}

function calleeName(node: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function propertyKeyText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** Whether a literal sits where the language makes it code: a module name, a key, a type, an attribute or a DOM call. */
function isCodePosition(node: ts.Node): boolean {
  let child: ts.Node = node;
  let parent = node.parent;
  // Look through wrappers that keep the literal's role: (a), a ?? 'b', c ? 'd' : 'e', `${…}`, as const.
  while (
    parent &&
    (ts.isParenthesizedExpression(parent) || ts.isConditionalExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) ||
      (ts.isBinaryExpression(parent) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.PlusToken].includes(parent.operatorToken.kind)) ||
      ts.isTemplateSpan(parent) || ts.isTemplateExpression(parent) || ts.isArrayLiteralExpression(parent))
  ) {
    if (ts.isConditionalExpression(parent) && parent.condition === child) return true;
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isImportTypeNode(parent) || ts.isExternalModuleReference(parent)) return true;
  if (ts.isLiteralTypeNode(parent)) return true;
  if (ts.isPropertyAssignment(parent)) {
    if (parent.name === child) return true;
    const key = propertyKeyText(parent.name);
    return key !== undefined && (CODE_KEYS.has(key) || key.startsWith('aria-hidden') || key.startsWith('data-'));
  }
  if (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) return ts.isElementAccessExpression(parent) && parent.argumentExpression === child;
  if (ts.isCaseClause(parent)) return true;
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    if ([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.InKeyword].includes(op)) return true;
    if (op === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(parent.left)) return CODE_KEYS.has(parent.left.name.text);
  }
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const name = calleeName(parent);
    if (name === 'el' && parent.arguments?.[0] !== child) return false; // el's children are words; its tag is code
    return name !== undefined && CODE_CALLS.has(name);
  }
  return false;
}

function ignoredLines(source: string): Set<number> {
  const lines = new Set<number>();
  source.split('\n').forEach((line, index) => {
    if (line.includes('i18n-ignore')) {
      lines.add(index + 1);
      if (/^\s*\/\//.test(line)) lines.add(index + 2); // a comment line covers the next line
    }
  });
  return lines;
}

/** Every string in a file that reads as words and is neither in code position nor marked. */
export function visibleWordsIn(file: string, source: string): WordsHit[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const ignored = ignoredLines(source);
  const hits: WordsHit[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) text = node.text;
    if (text !== undefined) {
      const literal = ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node) ? node.parent.parent ?? node.parent : node;
      const target = ts.isTemplateSpan(literal) ? literal.parent : literal;
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      if (looksLikeWords(text) && !ignored.has(line) && !isCodePosition(ts.isTemplateHead(node) ? node.parent : target)) {
        hits.push({ file, line, text: text.length > 60 ? `${text.slice(0, 57)}…` : text });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return hits;
}

function scannedFiles(): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('-catalog.ts')) out.push(path);
  };
  for (const entry of SCANNED) walk(join(repoRoot, entry));
  return out;
}

describe('words people read live in catalogs', () => {
  it('flags words and lets code through', () => {
    for (const words of ['Log in', 'Enter your password.', 'press Ctrl+C', 'Devices', 'the shell exited', 'Autoriser ?']) expect(looksLikeWords(words), words).toBe(true);
    for (const code of ['btn-primary', 'device.update', 'Content-Type', 'SESSION_ERR_X', '/api/devices', '--lang', 'ArrowUp', 'utf8', 'Enter', 'text/html']) {
      expect(looksLikeWords(code), code).toBe(false);
    }
    const hits = visibleWordsIn('x.ts', [
      "import { a } from './Some Module.js';",
      "const b = el('button', { class: 'btn btn-primary', title: 'Close the shell' }, 'Log in');",
      "if (key === 'Escape key pressed') stop();",
      "// i18n-ignore: a developer's log line",
      "console.debug('Debug line for developers');",
      'const t = `Connected to ${name}.`;',
    ].join('\n'));
    expect(hits.map((h) => h.text)).toEqual(['Close the shell', 'Log in', 'Connected to ']);
  });

  it('no file of the agent, web UI, CLI or support page writes words outside a catalog', () => {
    const hits = scannedFiles().flatMap((file) => visibleWordsIn(relative(repoRoot, file).split(sep).join('/'), readFileSync(file, 'utf8')));
    expect(hits.map((h) => `${h.file}:${h.line} ${JSON.stringify(h.text)}`)).toEqual([]);
  });
});
