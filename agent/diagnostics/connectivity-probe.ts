/**
 * Connectivity over time, for "the connection keeps dropping": a short series of
 * TCP connects to the gateway and the controller, giving loss and jitter.
 *
 * TCP, not ICMP: Node cannot send ICMP without raw sockets (root), spawning `ping`
 * differs per platform and language, and a TCP connect is what applications live
 * on. A refused connection (RST) is an answer too, so the gateway needs no open
 * port; each round tries 53, 80 and 443 at once and keeps the first answer. A router
 * that silently drops such probes reads as "no answer" to every probe — the check
 * treats that as silence, not loss.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ConnectivitySection } from '../../protocol/index.js';
import type { ProbeHost } from './probe-host.js';
import { clean } from './probe-text.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);

export const GATEWAY_PORTS = [53, 80, 443] as const;

export interface SeriesOptions {
  /** Probes per target. */
  readonly count: number;
  /** Time between the starts of two probes (a slow answer does not delay the next probe). */
  readonly intervalMs: number;
  /** How long one probe waits for an answer. */
  readonly answerMs: number;
}

/** 10 probes, 120 ms apart, each answered within 600 ms: the series ends within 1.7 s. */
export const DEFAULT_SERIES: SeriesOptions = { count: 10, intervalMs: 120, answerMs: 600 };

/** Measures how late this process's own timers run while the series runs: a busy computer inflates round trips by that much. */
export type DelayMeter = () => { stop(): number | null };

export const eventLoopDelay: DelayMeter = () => {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return { stop: () => (histogram.disable(), histogram.count > 0 ? Math.round(histogram.percentile(90) / 1e5) / 10 : null) };
};

export interface Target {
  readonly role: 'gateway' | 'controller';
  readonly host: string;
  readonly ports: readonly number[];
}

/** The gateway (if any) and the controller's host and port (if connected to one). */
export function connectivityTargets(gateway: string | null, controllerUrl: string | null): Target[] {
  const targets: Target[] = [];
  if (gateway) targets.push({ role: 'gateway', host: gateway, ports: [...GATEWAY_PORTS] });
  if (controllerUrl) {
    const url = new URL(controllerUrl);
    const port = Number(url.port) || (url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80);
    targets.push({ role: 'controller', host: url.hostname.replace(/^\[|\]$/g, ''), ports: [port] });
  }
  return targets;
}

export async function probeConnectivity(host: ProbeHost, targets: readonly Target[], options: SeriesOptions = DEFAULT_SERIES, meter: DelayMeter = eventLoopDelay): Promise<ConnectivitySection> {
  const delay = meter();
  const measured = await Promise.all(targets.slice(0, 2).map((t) => series(host, t, options)));
  const localDelayMs = delay.stop();
  return { intervalMs: options.intervalMs, localDelayMs: localDelayMs === null ? null : Math.min(localDelayMs, 86_400_000), targets: measured };
}

async function series(host: ProbeHost, target: Target, o: SeriesOptions): Promise<ConnectivitySection['targets'][number]> {
  const rounds = Array.from({ length: o.count }, (_, i) => new Promise<number | null>((resolve) => {
    setTimeout(() => void round(host, target, o.answerMs).then(resolve), i * o.intervalMs);
  }));
  const samples = await Promise.all(rounds);
  return summarise(target, samples);
}

/** One round: every port at once; the first answer (accepted or refused) is the round trip. */
async function round(host: ProbeHost, target: Target, answerMs: number): Promise<number | null> {
  const outcomes = target.ports.map((port) => host.connect(target.host, port, answerMs).then((c) => (c.answered ? c.ms : Promise.reject(new Error(probeWords('noAnswer'))))));
  return Promise.any(outcomes).catch(() => null);
}

/** Loss, min/avg/max and jitter (mean difference between consecutive answered round trips). */
export function summarise(target: Target, samples: readonly (number | null)[]): ConnectivitySection['targets'][number] {
  const answered = samples.filter((s): s is number => s !== null);
  const round1 = (n: number) => Math.round(n * 10) / 10;
  const diffs = answered.slice(1).map((s, i) => Math.abs(s - answered[i]!));
  return {
    role: target.role,
    host: clean(target.host, 255),
    ports: target.ports.slice(0, 4),
    sent: samples.length,
    answered: answered.length,
    lossPercent: samples.length === 0 ? 0 : round1(((samples.length - answered.length) / samples.length) * 100),
    rttMinMs: answered.length ? round1(Math.min(...answered)) : null,
    rttAvgMs: answered.length ? round1(answered.reduce((a, b) => a + b, 0) / answered.length) : null,
    rttMaxMs: answered.length ? round1(Math.max(...answered)) : null,
    jitterMs: diffs.length ? round1(diffs.reduce((a, b) => a + b, 0) / diffs.length) : null,
    samples: samples.slice(0, 20).map((s) => (s === null ? null : round1(s))),
  };
}
