/** Small readers shared by the helpdesk probes: text cleaned to fit the schema, PowerShell's JSON and dates. */
import { plainText } from '../../protocol/index.js';
import type { CommandOutcome, ProbeHost } from './probe-host.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

/** Any value as schema-safe text: no control characters, at most `max` characters. */
export const clean = (value: unknown, max: number): string => plainText(value ?? '', max).trim();

/** The JSON a PowerShell script printed (its last non-empty line; warnings may come before). */
export function parseJsonOutput(stdout: string): unknown {
  const line = stdout.trim().split(/\r?\n/).filter((l) => l.trim()).pop();
  if (!line) throw new Error(probeWords('noOutput'));
  return JSON.parse(line);
}

/** ISO dates, Windows PowerShell 5.1's "/Date(ms)/", or null. */
export function parseWindowsDate(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const legacy = /\/Date\((-?\d+)/.exec(value);
  const ms = legacy ? Number(legacy[1]) : Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/**
 * Runs a PowerShell script, passed base64 (-EncodedCommand) so no quoting can change it.
 * The script must print one line of JSON last.
 */
export async function runPowerShell(host: ProbeHost, script: string, timeoutMs: number): Promise<CommandOutcome> {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  return host.run('powershell', ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded], timeoutMs); // i18n-ignore: PowerShell's arguments
}

/** The script an -EncodedCommand argument carries (for fakes in tests). */
export function decodePowerShell(args: readonly string[]): string | null {
  const at = args.indexOf('-EncodedCommand');
  return at >= 0 && args[at + 1] ? Buffer.from(args[at + 1]!, 'base64').toString('utf16le') : null;
}

/** The JSON a PowerShell script printed, or an error that says why there is none. */
export async function powerShellJson(host: ProbeHost, script: string, timeoutMs: number): Promise<unknown> {
  const result = await runPowerShell(host, script, timeoutMs);
  if (result.kind === 'missing') throw new Error(probeWords('powershellMissing'));
  if (result.kind === 'failed') throw new Error(probeWords('powershellFailed', { error: result.error }));
  return parseJsonOutput(result.stdout);
}

/** A list from ConvertTo-Json, which writes a lone object instead of a one-element array. */
export function asArray(value: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(value)) return value.filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === 'object');
  return value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
}
