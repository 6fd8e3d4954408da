/**
 * Programs some tests drive (osslsigncode, Wine, HAProxy). Outside CI a missing one skips those tests;
 * in CI (`.ci/run` installs them) a missing one fails the file, so a skip never passes for a check.
 */
import { spawnSync } from 'node:child_process';
import { HAPROXY_PATH } from '../../scripts/cluster/cluster.mjs';

const TOOLS = {
  osslsigncode: () => spawnSync('osslsigncode', ['--version']).status !== null,
  wine: () => spawnSync('wine', ['--version']).status === 0,
  haproxy: () => spawnSync(HAPROXY_PATH, ['-v']).status === 0,
} as const;

export function hasTool(name: keyof typeof TOOLS): boolean {
  const found = TOOLS[name]();
  if (!found && process.env.CI === 'true') throw new Error(`${name} is missing: .ci/run installs it from Debian packages, and CI runs every test that needs it.`);
  return found;
}
