/**
 * The device list the same on every node: each node publishes the changes it makes (an
 * agent connected here, its summary, its findings) and applies the others'. A node's view
 * of whether a device is online follows the presence: an "offline" from a node that no
 * longer holds the device (it moved) does not hide it.
 */
import type { DeviceRegistry } from '../devices/devices.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import type { Log } from '../observability/logger.js';
import type { Cluster } from './cluster.js';

/** How often the presence is checked against Redis. */
const RECONCILE_MS = 10_000;
/** How often a node checks that the shared list shows online the devices it holds. */
const REPAIR_MS = 2_000;

export function syncDevices(cluster: Cluster, parts: { devices: DeviceRegistry; diagnostics: DiagnosticsStore; log: Log }): void {
  const { devices, diagnostics, log } = parts;
  devices.onLocalChange((change) => {
    if (change.kind === 'removed') return cluster.publish({ t: 'device.removed', deviceId: change.deviceId });
    cluster.publish({ t: 'device', view: change.view });
  });
  devices.onDiagnostics((stored, requestId) => {
    // Only what this node stored (a remote one comes back through diagnosedRemote, which other listeners hear).
    if (cluster.links.local.isOnline(stored.deviceId)) cluster.publish({ t: 'diagnosed', deviceId: stored.deviceId, snapshotId: stored.id, requestId });
  });
  // A dead node cannot say its devices went offline: every node does. Every device shown online that
  // no node holds any more goes offline, not only those this node knew the dead node held (a presence
  // event it missed). This node's presence may lag: a device that reconnected to another node can
  // already show that node's connection (its "device" event) and not yet its "presence" event. So the
  // candidates are checked against Redis, read after them: a node writes a device's holder there
  // before it publishes anything about it. The shared list index is then written only over the
  // connection this node knew (heldByNone), never over a newer one.
  const offline = () => {
    const candidates = devices.onlineSince().filter(([id]) => !cluster.presence.isOnline(id) && !cluster.links.local.isOnline(id));
    if (candidates.length === 0) return;
    cluster.heldElsewhere().then(
      (held) => {
        for (const [id, known] of candidates) if (!held.has(id) && !cluster.links.local.isOnline(id)) devices.heldByNone(id, known);
      },
      (err: unknown) => log.warn({ err }, 'cluster: who holds the devices no node seems to hold could not be read; they stay as they are until the next check'),
    );
  };
  cluster.onNodeDied(offline);
  // So does a device whose "offline" event this node missed (Redis away a moment).
  cluster.reconcileEvery(RECONCILE_MS, offline);
  // The node holding an agent owns its "online" in the shared list: whatever a race between nodes'
  // batched writes left there (an agent moving while nodes start, stop or die), it is set right
  // within REPAIR_MS. Conditional writes keep the races rare; this keeps them from lasting.
  cluster.every(REPAIR_MS, async () => {
    if (cluster.links.local.size === 0) return;
    const repaired = await devices.reassertOnline([...cluster.links.local.all()].map((link) => link.deviceId));
    if (repaired > 0) log.info({ repaired }, `cluster: ${repaired} devices held here were shown offline in the list; written online again`);
  });
  cluster.on((event, from) => {
    switch (event.t) {
      case 'device': {
        const holder = cluster.presence.holder(event.view.id);
        const view = !event.view.online && holder !== null && holder.node !== from ? { ...event.view, online: true, connectedAt: holder.since } : event.view;
        return devices.applyRemote(view);
      }
      case 'device.removed':
        return devices.removedRemote(event.deviceId);
      case 'diagnosed':
        void diagnostics.get(event.deviceId, event.snapshotId).then(
          (stored) => stored && devices.diagnosedRemote(stored, event.requestId),
          (err: unknown) => log.warn({ err, device: event.deviceId }, 'cluster: a snapshot stored on another node could not be read'),
        );
        return;
      default:
        return;
    }
  });
}
