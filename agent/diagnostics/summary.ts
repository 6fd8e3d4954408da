/**
 * The device summary the technician sees at once. Fast by design: Node's `os`
 * answers immediately, and each systeminformation probe gets its own time
 * limit, falling back to `os` values, so a slow probe never delays the session.
 */
import { statfsSync } from 'node:fs';
import os from 'node:os';
import { deviceSummary, plainText, type DeviceSummary } from '../../protocol/index.js';
import { systemInfo } from './system-info.js';

export const PROBE_TIME_LIMIT_MS = 1500;

/** Resolves with the probe's value, or null if it fails or takes longer than `ms`. */
export async function withinTimeLimit<T>(probe: () => Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([probe().catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The local account name, or "unknown" where the platform cannot say. */
export function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Gathers the summary; every string is cleaned to fit the schema, and the result is validated. */
export async function gatherSummary(agentVersion: string, timeLimitMs = PROBE_TIME_LIMIT_MS): Promise<DeviceSummary> {
  const [system, disks] = await Promise.all([
    withinTimeLimit(() => systemInfo('osInfo'), timeLimitMs),
    withinTimeLimit(() => systemInfo('fsSize'), timeLimitMs),
  ]);
  const cpus = os.cpus();
  const summary: DeviceSummary = {
    hostname: plainText(os.hostname(), 255),
    user: plainText(localUserName(), 128),
    os: {
      platform: plainText(os.platform(), 32),
      distro: plainText(system?.distro || os.type(), 128),
      release: plainText(system?.release || os.release(), 64),
      kernel: plainText(system?.kernel || os.release(), 128),
      arch: plainText(os.arch(), 32),
    },
    cpu: { brand: plainText(cpus[0]?.model.trim() || 'unknown', 160), cores: Math.min(cpus.length, 4096) },
    memory: { totalBytes: os.totalmem(), availableBytes: os.freemem() },
    disks: disks ? diskList(disks) : fallbackDisks(),
    addresses: addressList(),
    uptimeSeconds: Math.max(0, Math.round(os.uptime())),
    agentVersion: plainText(agentVersion, 32),
  };
  return deviceSummary.parse(summary);
}

function diskList(disks: { fs: string; type: string; size: number; used: number; available: number; mount: string }[]): DeviceSummary['disks'] {
  return disks
    .filter((disk) => Number.isFinite(disk.size) && disk.size > 0)
    .slice(0, 64)
    .map((disk) => ({
      mount: plainText(disk.mount || disk.fs, 255),
      fs: plainText(disk.type || disk.fs, 64),
      sizeBytes: disk.size,
      usedBytes: Math.max(0, Number.isFinite(disk.used) ? disk.used : 0),
      availableBytes: Math.max(0, Number.isFinite(disk.available) ? disk.available : disk.size - (Number.isFinite(disk.used) ? disk.used : 0)),
    }));
}

/** Without systeminformation: at least the root (or home) file system, from statfs. */
function fallbackDisks(): DeviceSummary['disks'] {
  const mount = os.platform() === 'win32' ? os.homedir().slice(0, 3) : '/';
  try {
    const stats = statfsSync(mount);
    const size = stats.blocks * stats.bsize;
    return [{ mount, fs: 'unknown', sizeBytes: size, usedBytes: Math.max(0, size - stats.bfree * stats.bsize), availableBytes: stats.bavail * stats.bsize }];
  } catch {
    return [];
  }
}

function addressList(): DeviceSummary['addresses'] {
  const result: DeviceSummary['addresses'] = [];
  for (const [iface, entries] of Object.entries(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      const family = String(entry.family) === '4' ? 'IPv4' : String(entry.family) === '6' ? 'IPv6' : entry.family;
      if (family !== 'IPv4' && family !== 'IPv6') continue;
      result.push({ iface: plainText(iface, 64), address: plainText(entry.address, 64), family });
    }
  }
  return result.slice(0, 64);
}
