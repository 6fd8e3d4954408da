/** The console messages built from device events: each bounded whatever the fleet or the snapshot holds. */
import { MAX_FINDINGS, worstSeverity, type ControllerToConsole } from '../../../protocol/index.js';
import type { StoredSnapshot } from '../diagnostics/diagnostics.js';
import type { DeviceEvent } from '../devices/devices.js';

/** `device.update` (one bounded row) or `device.removed`. */
export function deviceEventMessage(event: DeviceEvent): ControllerToConsole {
  return event.kind === 'update' ? { t: 'device.update', device: event.device } : { t: 'device.removed', deviceId: event.deviceId };
}

/** A new snapshot was stored: the notice names it; the console fetches it over REST, where its findings are served in the technician's language (this notice carries no words). */
export function diagnosticsNotice(stored: StoredSnapshot, requestId: string | null): ControllerToConsole {
  return {
    t: 'device.diagnostics',
    deviceId: stored.deviceId,
    requestId,
    snapshotId: stored.id,
    takenAt: stored.takenAt,
    worst: worstSeverity(stored.findings),
    findingCount: Math.min(stored.findings.length, MAX_FINDINGS),
  };
}
