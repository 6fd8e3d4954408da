/** Revoking an enrolled device, after a confirmation: its key is refused from then on. */
import type { DeviceView } from '../../../protocol/index.js';
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { fleetApi } from './fleet-api.js';

/** Asks, then revokes; resolves with an error message in the catalog's words, or null (done or not confirmed). */
export async function revokeDevice(device: Pick<DeviceView, 'id' | 'name' | 'hostname'>): Promise<string | null> {
  const sure = await confirmDialog({
    title: `Revoke ${device.name ?? device.hostname}?`,
    body: 'Its key is refused from now on and its connection is closed. Jobs will no longer reach it. To bring it back, enroll it again with a new token.',
    confirmLabel: 'Revoke device',
    danger: true,
  });
  if (!sure) return null;
  try {
    await fleetApi.revokeDevice(device.id);
    return null;
  } catch (err) {
    return err instanceof ApiError ? err.message : 'The device could not be revoked. Try again.';
  }
}
