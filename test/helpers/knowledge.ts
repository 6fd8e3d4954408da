/** Knowledge-base test helpers: a controller configuration under which every machine's disk is "full", and waiting for a device to show it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleClient } from './console-client.js';
import type { RunningController } from './controller-process.js';

/** A thresholds file: a disk threshold every machine exceeds (so `disk.full` is certain), the load and speed checks quiet. */
export function diskFullThresholds(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'relais-kb-')), 'thresholds.json');
  writeFileSync(file, JSON.stringify({ diskWarnPercent: 0.01, diskCriticalPercent: 100, loadWarnPerCore: 1000, loadCriticalPerCore: 1000, processHogCpuPercent: 1000, controllerSlowMs: 60_000 }));
  return file;
}

/**
 * Waits until the device's latest snapshot shows the full disk. On a busy machine a probe can miss
 * its time limit and a snapshot come without its storage part: a fresh one is asked for then, as a
 * technician would click Refresh.
 */
export async function showsDiskFull(c: RunningController, cookie: string, console: ConsoleClient, deviceId: string): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const res = await fetch(`${c.url}/api/devices/${deviceId}/snapshots/latest`, { headers: { cookie } });
    const latest = ((await res.json()) as { snapshot: { findings: Array<{ id: string }> } | null }).snapshot;
    if (latest?.findings.some((f) => f.id.startsWith('disk.full:'))) return;
    const requestId = `refresh${attempt}${deviceId.slice(0, 8)}`;
    console.send({ t: 'diagnostics.refresh', requestId, deviceId });
    await console.waitFor('device.diagnostics', (m) => m.requestId === requestId, 30_000);
  }
  throw new Error(`device ${deviceId} never showed its full disk`);
}
