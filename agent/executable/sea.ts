/**
 * Whether this agent runs as a single executable (Node SEA) rather than as a script
 * under node, and its embedded assets when it does. `node:sea` exists from Node 20.12;
 * on an older Node the agent is a script, never an executable.
 */
import { createRequire } from 'node:module';

export interface ExecutableAssets {
  /** An embedded asset's bytes; throws when the executable has no such asset. */
  getAsset(key: string): ArrayBuffer;
}

let cached: ExecutableAssets | null | undefined;

/** The executable's assets when running as one, else null. */
export function runningExecutable(): ExecutableAssets | null {
  if (cached === undefined) {
    try {
      // A require made from any absolute path loads built-ins, in the ESM bundle, the SEA's CommonJS and tests alike.
      const sea = createRequire(process.execPath)('node:sea') as { isSea(): boolean; getAsset(key: string): ArrayBuffer };
      cached = sea.isSea() ? { getAsset: (key) => sea.getAsset(key) } : null;
    } catch {
      cached = null;
    }
  }
  return cached;
}
