/**
 * The layout's import rules, checked on the source rather than left to review:
 * within a layer no file imports from a parent folder (shared pieces live in
 * their own folders beside the features), and layers only import the layers
 * they may. `tsc -b` enforces the platform side (no Node in protocol/ or web/);
 * this test enforces the folder side.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

/** Each layer and the other layers it may import from. */
const LAYERS: Record<string, string[]> = {
  protocol: [],
  agent: ['protocol'],
  'controller/server': ['protocol'],
  'controller/web': ['protocol'],
  'controller/cli': ['protocol'],
};

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)];
  return specifiers.map((m) => m[1]!);
}

function layerOf(path: string): string | undefined {
  const rel = relative(repoRoot, path).split(sep).join('/');
  return Object.keys(LAYERS)
    .sort((a, b) => b.length - a.length)
    .find((layer) => rel === layer || rel.startsWith(`${layer}/`));
}

const violations = (check: (file: string, target: string, layer: string) => string | undefined): string[] => {
  const found: string[] = [];
  for (const layer of Object.keys(LAYERS)) {
    for (const file of sourceFiles(join(repoRoot, layer))) {
      for (const spec of relativeImports(file)) {
        const problem = check(file, resolve(dirname(file), spec), layer);
        if (problem) found.push(`${relative(repoRoot, file)} imports ${spec}: ${problem}`);
      }
    }
  }
  return found;
};

describe('layout', () => {
  it('no file imports from a parent folder of its own layer', () => {
    const upward = violations((file, target, layer) => {
      if (layerOf(target) !== layer) return undefined;
      const from = dirname(file);
      const to = dirname(target);
      return to !== from && from.startsWith(to + sep) ? 'points to a parent folder' : undefined;
    });
    expect(upward).toEqual([]);
  });

  it('layers import only the layers they may', () => {
    const crossing = violations((_file, target, layer) => {
      const targetLayer = layerOf(target);
      if (targetLayer === undefined) return `leaves the layers (${relative(repoRoot, target)})`;
      if (targetLayer === layer || LAYERS[layer]!.includes(targetLayer)) return undefined;
      return `${layer} may not import ${targetLayer}`;
    });
    expect(crossing).toEqual([]);
  });

  it('the checker sees real imports (a sample file has some)', () => {
    expect(relativeImports(join(repoRoot, 'agent/main.ts')).length).toBeGreaterThan(3);
  });
});
