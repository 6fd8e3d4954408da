/**
 * Every message catalog in the product (each `*-catalog.ts` file, found on disk so a
 * new one cannot be left out) has the same keys in English and French, the same
 * placeholders in both, valid ICU syntax, and no empty French text.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogProblems } from '../helpers/catalog-check.js';
import { repoRoot } from '../helpers/paths.js';

function catalogFiles(): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (path.endsWith('-catalog.ts')) out.push(path);
  };
  for (const layer of ['protocol', 'agent', 'controller']) walk(join(repoRoot, layer));
  return out;
}

function isCatalog(value: unknown): value is { en: Record<string, string>; fr: Record<string, string> } {
  return typeof value === 'object' && value !== null && 'en' in value && 'fr' in value && typeof (value as { en: unknown }).en === 'object';
}

describe('message catalogs', () => {
  it('agree between English and French, key by key and placeholder by placeholder', async () => {
    const problems: string[] = [];
    let catalogs = 0;
    for (const file of catalogFiles()) {
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (!isCatalog(value)) continue;
        catalogs += 1;
        problems.push(...catalogProblems(`${relative(repoRoot, file)} ${name}`, value as never));
      }
    }
    expect(problems).toEqual([]);
    expect(catalogs).toBeGreaterThan(0);
  });
});
