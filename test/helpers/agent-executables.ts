/**
 * The agent's single executables for tests, built by scripts/build-agents.mjs — which
 * skips a build whose inputs did not change, so only the first run (or a change to the
 * agent) pays for it: about 10 s for linux-x64, a minute for win-x64.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { agentFileName, type AgentPlatform } from '../../protocol/executable/index.js';
import { repoRoot } from './paths.js';

export const AGENTS_DIR = join(repoRoot, 'dist', 'agents');

/** Builds (or finds up to date) one executable; `withoutPty` builds one without node-pty's asset, in its own folder. */
export function buildAgentExecutable(platform: AgentPlatform, options: { withoutPty?: boolean } = {}): string {
  const out = options.withoutPty ? join(AGENTS_DIR, 'test-without-pty') : AGENTS_DIR;
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-agents.mjs'), '--platform', platform, '--quiet', '--out', out, ...(options.withoutPty ? ['--without-pty'] : [])], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 600_000,
  });
  return join(out, agentFileName(platform));
}
