/**
 * The private cache folder of the single executable (node-pty's files written out of
 * it): RELAIS_AGENT_CACHE when set, else the platform's per-account cache folder.
 */
import { join, win32 } from 'node:path';

export function agentCacheRoot(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env.RELAIS_AGENT_CACHE) return env.RELAIS_AGENT_CACHE;
  if (platform === 'win32') return win32.join(env.LOCALAPPDATA ?? win32.join(home, 'AppData', 'Local'), 'Relais', 'agent-cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'Relais', 'agent');
  return join(env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(home, '.cache'), 'relais-agent');
}
