/**
 * The probes behind a snapshot: systeminformation for the machine (in a worker
 * thread, system-info.ts), Node's own dns
 * and fetch for name resolution and the controller. Every string is cleaned to fit
 * the schema; every number is made finite.
 */
import { promises as dns, getServers } from 'node:dns';
import os from 'node:os';
import { diskUsePercent, plainText, type Snapshot } from '../../protocol/index.js';
import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';
import { systemInfo } from './system-info.js';
import type { SystemInfoAnswers } from './system-info-methods.js';

const probeWords = agentWords(probeCatalog);

const num = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const maybe = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
const clean = (value: unknown, max: number) => plainText(value ?? '', max);
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

export async function probeSystem(): Promise<Snapshot['system']> {
  const s = await systemInfo('system');
  const serial = clean(s.serial, 128).trim();
  return {
    manufacturer: clean(s.manufacturer || 'unknown', 128),
    model: clean(s.model || 'unknown', 128),
    serial: serial && serial !== '-' && !/^0+$/.test(serial) ? serial : null,
    virtual: Boolean(s.virtual),
    virtualHost: s.virtualHost ? clean(s.virtualHost, 128) : null,
  };
}

export async function probeCpu(): Promise<Snapshot['cpu']> {
  const [cpu, load, temperature] = await Promise.all([systemInfo('cpu'), systemInfo('currentLoad'), systemInfo('cpuTemperature').catch(() => null)]);
  const main = temperature ? num(temperature.main, -1) : -1;
  return {
    brand: clean(`${cpu.manufacturer} ${cpu.brand}`.trim() || 'unknown', 160),
    physicalCores: clamp(num(cpu.physicalCores), 0, 4096),
    logicalCores: clamp(num(cpu.cores, os.cpus().length), 0, 4096),
    speedGHz: clamp(num(cpu.speed), 0, 100),
    loadPercent: clamp(num(load.currentLoad), 0, 100),
    // Windows has no load average (Node reports zeros there).
    loadAverage1m: os.platform() === 'win32' ? null : num(os.loadavg()[0]),
    temperatureC: main > 0 && main < 200 ? main : null,
  };
}

export async function probeMemory(): Promise<Snapshot['memory']> {
  const m = await systemInfo('mem');
  return {
    totalBytes: num(m.total),
    usedBytes: num(m.active, num(m.used)),
    availableBytes: num(m.available, num(m.free)),
    swapTotalBytes: num(m.swaptotal),
    swapUsedBytes: num(m.swapused),
  };
}

export async function probeStorage(): Promise<Snapshot['storage']> {
  const [layout, sizes] = await Promise.all([systemInfo('diskLayout').catch(() => []), systemInfo('fsSize')]);
  return {
    disks: layout.slice(0, 64).map((d) => ({ name: clean(d.name || d.device, 128), type: clean(d.type, 32), sizeBytes: num(d.size), vendor: clean(d.vendor, 128) })),
    filesystems: sizes
      .filter((f) => num(f.size) > 0)
      .slice(0, 128)
      .map((f) => ({ fs: clean(f.fs, 255), type: clean(f.type, 32), mount: clean(f.mount, 255), sizeBytes: num(f.size), usedBytes: num(f.used), availableBytes: num(f.available, Math.max(0, num(f.size) - num(f.used))), usePercent: diskUsePercent(num(f.used), num(f.available, Math.max(0, num(f.size) - num(f.used)))) })),
  };
}

export async function probeOs(): Promise<Snapshot['os']> {
  const [info, users, time] = await Promise.all([systemInfo('osInfo'), systemInfo('users').catch(() => []), systemInfo('time')]);
  return {
    platform: clean(info.platform || os.platform(), 32),
    distro: clean(info.distro || os.type(), 128),
    release: clean(info.release || os.release(), 64),
    kernel: clean(info.kernel || os.release(), 128),
    arch: clean(info.arch || os.arch(), 32),
    hostname: clean(os.hostname(), 255),
    uptimeSeconds: Math.round(num(time.uptime, os.uptime())),
    timezone: clean(time.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone, 64),
    users: users.slice(0, 64).map((u) => ({ user: clean(u.user, 64), terminal: clean(u.tty, 64), since: clean(`${u.date} ${u.time}`.trim(), 64) })),
  };
}

/** `gateway` is shared with the connectivity probe, so the route table is read once. */
export async function probeNetwork(gatewayOf: () => Promise<string> = () => systemInfo('networkGatewayDefault')): Promise<Snapshot['network']> {
  const [interfaces, gateway, defaultIface] = await Promise.all([
    systemInfo('networkInterfaces'),
    gatewayOf().catch(() => ''),
    systemInfo('networkInterfaceDefault').catch(() => ''),
  ]);
  const list = Array.isArray(interfaces) ? interfaces : [interfaces];
  return {
    interfaces: list.slice(0, 64).map((i) => ({
      name: clean(i.iface, 64),
      ipv4: i.ip4 ? [clean(i.ip4, 64)] : [],
      ipv6: i.ip6 ? [clean(i.ip6, 64)] : [],
      mac: clean(i.mac, 32),
      up: i.operstate === 'up' || (i.operstate === 'unknown' && Boolean(i.ip4 || i.ip6)),
      speedMbps: maybe(i.speed),
      isDefault: Boolean(i.default) || i.iface === defaultIface,
      internal: Boolean(i.internal),
    })),
    gateway: gateway ? clean(gateway, 64) : null,
    dnsServers: getServers().slice(0, 16).map((s) => clean(s, 64)),
  };
}

/** Resolves each name with the system resolver (what the user's programs use). */
export async function probeDns(names: readonly string[], perLookupMs: number): Promise<Snapshot['dns']> {
  const lookups = await Promise.all(
    names.slice(0, 8).map(async (name) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(probeWords('noAnswerWithin', { ms: String(perLookupMs) }))), perLookupMs)));
        const answers = await Promise.race([dns.lookup(name, { all: true }), late]);
        return { name: clean(name, 255), ok: true, addresses: answers.slice(0, 16).map((a) => clean(a.address, 64)), durationMs: Math.round(performance.now() - started), error: null };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        return { name: clean(name, 255), ok: false, addresses: [], durationMs: Math.round(performance.now() - started), error: clean(code, 255) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { lookups };
}

/**
 * Reaches the controller's health route: reachability, round trip, and its clock for the skew.
 * Up to three requests, the fastest kept: the other probes run in this process at the same time,
 * and one busy moment of the event loop must not read as a slow network. Another request is
 * tried only while over half the time is left, so a busy agent returns the answer it has
 * instead of running out of time with it.
 */
export async function probeController(url: string, timeoutMs: number): Promise<{ controller: NonNullable<Snapshot['controller']>; clock: Snapshot['clock'] }> {
  const deadline = Date.now() + timeoutMs;
  let best: { rttMs: number; serverTime: number | null; sentAt: number } | null = null;
  let failure: string | null = null;
  for (let attempt = 0; attempt < 3 && (attempt === 0 || deadline - Date.now() > timeoutMs / 2); attempt++) {
    const sentAt = Date.now();
    const t0 = performance.now();
    try {
      const res = await fetch(new URL('/api/health', url), { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      const rttMs = performance.now() - t0;
      const body = (await res.json().catch(() => ({}))) as { time?: unknown };
      if (!res.ok) {
        failure = `HTTP ${res.status}`;
        break;
      }
      if (!best || rttMs < best.rttMs) best = { rttMs, serverTime: typeof body.time === 'number' ? body.time : null, sentAt };
    } catch (err) {
      failure = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      break;
    }
  }
  if (!best) return { controller: { url: clean(url, 512), reachable: false, rttMs: null, error: clean(failure ?? probeWords('noAnswer'), 255) }, clock: undefined };
  return {
    controller: { url: clean(url, 512), reachable: true, rttMs: Math.round(best.rttMs * 10) / 10, error: null },
    // Positive skew: this machine's clock is behind the controller's.
    clock: best.serverTime === null ? undefined : { skewMs: Math.round(best.serverTime - (best.sentAt + best.rttMs / 2)), source: 'controller' },
  };
}

export async function probeBattery(): Promise<Snapshot['battery']> {
  const b = await systemInfo('battery');
  const design = num(b.designedCapacity);
  const max = num(b.maxCapacity);
  return {
    present: Boolean(b.hasBattery),
    percent: b.hasBattery ? clamp(num(b.percent), 0, 100) : null,
    charging: b.hasBattery ? Boolean(b.isCharging) : null,
    healthPercent: b.hasBattery && design > 0 && max > 0 ? clamp((max / design) * 100, 0, 100) : null,
    cycleCount: b.hasBattery && num(b.cycleCount, -1) >= 0 ? Math.round(num(b.cycleCount)) : null,
  };
}

/** `listed` is shared with the security and mail probes: the process list is read once per snapshot. */
export async function probeProcesses(listed: () => Promise<SystemInfoAnswers['processes']> = () => systemInfo('processes')): Promise<Snapshot['processes']> {
  const { list } = await listed();
  const rows = list.map((p) => ({ pid: Math.max(0, Math.round(num(p.pid))), name: clean(p.name || p.command, 128), cpuPercent: clamp(num(p.cpu), 0, 100_000), memoryBytes: num(p.memRss) * 1024 }));
  return {
    byCpu: [...rows].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, 5),
    byMemory: [...rows].sort((a, b) => b.memoryBytes - a.memoryBytes).slice(0, 5),
  };
}
