/** Revoking an enrolled device, after a confirmation: its key is refused from then on. */
import type { DeviceView } from '../../../protocol/index.js';
import { ApiError } from '../connection/api.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { fleetApi } from './fleet-api.js';
import { wordsOf } from '../app/language.js';
import { fleetCatalog } from './fleet-catalog.js';

const t = wordsOf(fleetCatalog);

/** Asks, then revokes; resolves with an error message in the catalog's words, or null (done or not confirmed). */
export async function revokeDevice(device: Pick<DeviceView, 'id' | 'name' | 'hostname'>): Promise<string | null> {
  const sure = await confirmDialog({
    title: t('revokeTitle', { name: device.name ?? device.hostname }),
    body: t('revokeBody'),
    confirmLabel: t('revokeConfirm'),
    danger: true,
  });
  if (!sure) return null;
  try {
    await fleetApi.revokeDevice(device.id);
    return null;
  } catch (err) {
    return err instanceof ApiError ? err.message : t('revokeFailed');
  }
}
