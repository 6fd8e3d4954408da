/** Takes a whole diagnostics snapshot: every probe in parallel, each under its own time limit. */
import { snapshot as snapshotSchema, type ProbeName, type Snapshot } from '../../protocol/index.js';
import { connectivityTargets, probeConnectivity } from './connectivity-probe.js';
import { probeMail } from './mail-probe.js';
import { realHost } from './probe-host.js';
import { runProbes, type Probe } from './probe-runner.js';
import * as probes from './probes.js';
import { probePrinters } from './printers-probe.js';
import type { ProcessInfo } from './remote-tools.js';
import { probeSecurity } from './security-probe.js';
import { systemInfo } from './system-info.js';
import { UpdatesProbe } from './updates-probe.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

export interface CollectOptions {
  /** The controller to measure (reachability, round trip, clock); none for a local report. */
  readonly controllerUrl: string | null;
  /** Names to resolve besides the controller's host. */
  readonly resolveNames: readonly string[];
  /** Per-probe time limit (default: probeTimeLimitMs()). */
  readonly probeTimeLimitMs?: number;
  /**
   * How long to wait for the pending-updates answer (slow: apt, dnf, Windows Update). A
   * session keeps it short and gets the answer in a later snapshot; `diagnose`, run once
   * by hand, waits longer.
   */
  readonly pendingUpdatesWaitMs?: number;
  /** Whether to ask the package manager what is pending (seconds of CPU with apt); off with RELAIS_NO_UPDATE_CHECK=1. */
  readonly checkPendingUpdates?: boolean;
}

/** The heavier probes get a second more than the others; security and mail read the process list too, so they get as long as it. */
const HEAVY: readonly ProbeName[] = ['processes', 'storage', 'security', 'mail'];
/** One per agent process: it keeps the pending-updates answer between snapshots. */
const updatesProbe = new UpdatesProbe(realHost);

/** Runs `load` once, however many probes ask. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** A probe's time limit when none is given: 3 s, or RELAIS_PROBE_TIME_LIMIT_MS (1,000–60,000) on a machine known to be slow. */
export function probeTimeLimitMs(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.RELAIS_PROBE_TIME_LIMIT_MS);
  return Number.isInteger(given) && given >= 1000 && given <= 60_000 ? given : 3000;
}

export async function collectSnapshot(options: CollectOptions): Promise<Snapshot> {
  const started = performance.now();
  const takenAt = Date.now();
  const limit = options.probeTimeLimitMs ?? probeTimeLimitMs();
  const pendingWait = options.pendingUpdatesWaitMs ?? 1200;
  const names = [...new Set([...(options.controllerUrl ? [new URL(options.controllerUrl).hostname.replace(/^\[|\]$/g, '')] : []), ...options.resolveNames])];
  const controllerUrl = options.controllerUrl;
  const processList = once(() => systemInfo('processes'));
  const processInfo = once(async (): Promise<ProcessInfo[]> => (await processList()).list.map((p) => ({ pid: p.pid, name: p.name || '', path: p.path || '' })));
  const gateway = once(() => systemInfo('networkGatewayDefault'));
  const table: Partial<Record<ProbeName, Probe<unknown>>> = {
    system: probes.probeSystem,
    cpu: probes.probeCpu,
    memory: probes.probeMemory,
    storage: probes.probeStorage,
    os: probes.probeOs,
    network: () => probes.probeNetwork(gateway),
    battery: probes.probeBattery,
    processes: () => probes.probeProcesses(processList),
    ...(names.length > 0 ? { dns: () => probes.probeDns(names, limit - 100) } : {}),
    ...(controllerUrl ? { controller: () => probes.probeController(controllerUrl, limit - 100) } : {}),
    printers: () => probePrinters(realHost, limit - 200),
    security: () => probeSecurity(realHost, processInfo, limit - 200),
    updates: () => updatesProbe.collect(limit - 200, pendingWait, options.checkPendingUpdates !== false),
    mail: () => probeMail(realHost, processInfo, Math.min(1500, limit - 200)),
    connectivity: async () => probeConnectivity(realHost, connectivityTargets((await gateway().catch(() => '')) || null, controllerUrl)),
  };
  // The controller probe stops itself at `limit - 100` with the answer it has; its own second more lets that
  // answer land on a busy machine, where the abort of a last attempt can come late.
  const limits: Partial<Record<ProbeName, number>> = {
    ...Object.fromEntries(HEAVY.map((p) => [p, limit + 1000])), controller: limit + 1000, updates: Math.max(limit, pendingWait + 1000),
  };
  const { values, outcomes } = await runProbes(table, limits, limit);
  const reach = values.controller as Awaited<ReturnType<typeof probes.probeController>> | undefined;
  const sections: Record<string, unknown> = {
    system: values.system, cpu: values.cpu, memory: values.memory, storage: values.storage, os: values.os,
    network: values.network, dns: values.dns, battery: values.battery, processes: values.processes,
    controller: reach?.controller, clock: reach?.clock,
    printers: values.printers, security: values.security, updates: values.updates, mail: values.mail, connectivity: values.connectivity,
  };
  const result: Record<string, unknown> = { takenAt, probes: outcomes };
  // Each section is checked on its own: a probe that broke its contract loses its section, not the snapshot.
  for (const [key, value] of Object.entries(sections)) {
    if (value === undefined) continue;
    const checked = (snapshotSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }>)[key]!.safeParse(value);
    if (checked.success) result[key] = checked.data;
    else {
      const probe = (key === 'clock' ? 'controller' : key) as ProbeName;
      const issue = checked.error?.issues[0];
      outcomes[probe] = { status: 'error', durationMs: outcomes[probe]?.durationMs ?? 0, error: probeWords('invalidData', { path: String(issue?.path.join('.')), message: String(issue?.message) }).slice(0, 500) };
    }
  }
  result.durationMs = Math.round(performance.now() - started);
  return snapshotSchema.parse(result);
}
