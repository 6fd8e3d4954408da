/** A ProbeHost made of recorded outputs (test/fixtures/diagnostics/), for the helpdesk probes' unit tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandOutcome, ConnectOutcome, ProbeHost } from '../../agent/diagnostics/probe-host.js';
import { decodePowerShell } from '../../agent/diagnostics/probe-text.js';
import { repoRoot } from './paths.js';

/** A recorded output, by its path under test/fixtures/diagnostics/. */
export const fixture = (path: string): string => readFileSync(join(repoRoot, 'test/fixtures/diagnostics', path), 'utf8');

export const done = (stdout: string, code = 0): CommandOutcome => ({ kind: 'done', code, stdout, stderr: '' });
export const MISSING: CommandOutcome = { kind: 'missing' };

export interface FakeHostOptions {
  platform?: NodeJS.Platform;
  home?: string;
  env?: Record<string, string>;
  now?: number;
  /** The command line ("lpstat -r -d -l -p") → its outcome; a PowerShell script is matched by a word it contains. */
  commands?: Record<string, CommandOutcome>;
  powershell?: Array<[contains: string, outcome: CommandOutcome]>;
  files?: Record<string, string>;
  dirs?: Record<string, string[]>;
  executables?: Record<number, string>;
  lookups?: Record<string, string[]>;
  connect?: (host: string, port: number) => ConnectOutcome;
}

export function fakeHost(o: FakeHostOptions = {}): ProbeHost & { ran: string[] } {
  const ran: string[] = [];
  const paths = new Set([...Object.keys(o.files ?? {}), ...Object.keys(o.dirs ?? {})]);
  return {
    ran,
    platform: o.platform ?? 'linux',
    home: o.home ?? '/home/alice',
    env: o.env ?? {},
    now: () => o.now ?? Date.UTC(2024, 2, 12, 11, 0, 0),
    async run(file, args) {
      const script = decodePowerShell(args);
      if (script !== null) {
        ran.push(`powershell ${script.split('\n')[1] ?? ''}`);
        return (o.powershell ?? []).find(([word]) => script.includes(word))?.[1] ?? MISSING;
      }
      const line = [file, ...args].join(' ');
      ran.push(line);
      return o.commands?.[line] ?? MISSING;
    },
    async readText(path) {
      return o.files?.[path] ?? null;
    },
    async exists(path) {
      return paths.has(path);
    },
    async list(dir) {
      return o.dirs?.[dir] ?? [];
    },
    async executableOf(pid) {
      return o.executables?.[pid] ?? null;
    },
    async lookup(name) {
      const addresses = o.lookups?.[name];
      return addresses ? { addresses, error: null } : { addresses: [], error: 'ENOTFOUND' };
    },
    async connect(host, port) {
      return o.connect ? o.connect(host, port) : { answered: false, open: false, ms: 0, error: 'ETIMEDOUT' };
    },
  };
}
