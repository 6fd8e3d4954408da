/** What every message catalog must satisfy: the same keys in both languages, and the same placeholders in each message. */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Catalog } from '../../protocol/index.js';

type Node = { type: number; value?: unknown; options?: Record<string, { value: Node[] }>; children?: Node[] };

/** The names a message formats (`{name}`, `{count, plural, …}`, `#` counts as its plural's name). */
export function placeholdersOf(message: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: Node[]): void => {
    for (const node of nodes) {
      if (typeof node.value === 'string' && node.type !== 0 && node.type !== 7) names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
      if (node.children) walk(node.children);
    }
  };
  walk(new IntlMessageFormat(message, locale, undefined, { ignoreTag: true }).getAst() as unknown as Node[]);
  return [...names].sort();
}

/** Lists every difference between the two tables of a catalog; empty when they agree. */
export function catalogProblems(name: string, catalog: Catalog<string>): string[] {
  const problems: string[] = [];
  const en = Object.keys(catalog.en);
  const fr = Object.keys(catalog.fr);
  for (const key of en) if (!fr.includes(key)) problems.push(`${name}: "${key}" has no French text`);
  for (const key of fr) if (!en.includes(key)) problems.push(`${name}: "${key}" is French only`);
  for (const key of en.filter((k) => fr.includes(k))) {
    try {
      const a = placeholdersOf(catalog.en[key]!, 'en-GB');
      const b = placeholdersOf(catalog.fr[key]!, 'fr-FR');
      if (a.join() !== b.join()) problems.push(`${name}: "${key}" placeholders differ: en {${a.join(', ')}} fr {${b.join(', ')}}`);
    } catch (err) {
      problems.push(`${name}: "${key}" is not a valid ICU message: ${(err as Error).message}`);
    }
    if (!catalog.fr[key]!.trim()) problems.push(`${name}: "${key}" is empty in French`);
  }
  return problems;
}
