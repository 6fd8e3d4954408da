/**
 * An empty home folder for the shells the bench starts, relay and node-pty alike:
 * measurements must not depend on this machine's dotfiles (a slow ~/.bashrc would
 * dominate the start-up time and the comparison).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.mjs';

let home = null;

/** The bench's shared empty HOME, created once and removed at cleanup. */
export function cleanHome() {
  if (home) return home;
  home = mkdtempSync(join(tmpdir(), 'relais-bench-home-'));
  const dir = home;
  onCleanup(`bench home ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return home;
}
