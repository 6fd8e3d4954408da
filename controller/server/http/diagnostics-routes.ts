/** Diagnostics history of a device: list, one snapshot with its findings, and before/after comparison (which pins both). */
import { Router } from 'express';
import { compareSnapshots, RelaisError, restAnswers } from '../../../protocol/index.js';
import type { DeviceRegistry } from '../devices/devices.js';
import type { DiagnosticsStore } from '../diagnostics/diagnostics.js';
import { answer } from './answer.js';
import { readerLanguage } from './server-language.js';

function snapshotId(value: unknown): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new RelaisError('HTTP_ERR_BAD_REQUEST', 'A snapshot id is a positive whole number.');
  return id;
}

export function diagnosticsRoutes(devices: DeviceRegistry, diagnostics: DiagnosticsStore): Router {
  const routes = Router();

  const device = (id: unknown) => {
    const view = devices.view(String(id));
    if (!view) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such device.');
    return view;
  };

  routes.get('/devices/:id/snapshots', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 200);
    answer(res, restAnswers.snapshots, { snapshots: await diagnostics.list(device(req.params.id).id, limit) });
  });

  routes.get('/devices/:id/snapshots/latest', async (req, res) => {
    const latest = await diagnostics.latest(device(req.params.id).id);
    answer(res, restAnswers.latestSnapshot, { snapshot: latest && diagnostics.inLanguage(latest, readerLanguage(req)) });
  });

  routes.get('/devices/:id/snapshots/:snapshotId', async (req, res) => {
    const stored = await diagnostics.get(device(req.params.id).id, snapshotId(req.params.snapshotId));
    if (!stored) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such snapshot for this device.');
    answer(res, restAnswers.snapshot, { snapshot: diagnostics.inLanguage(stored, readerLanguage(req)) });
  });

  routes.get('/devices/:id/compare', async (req, res) => {
    const id = device(req.params.id).id;
    const [before, after] = await Promise.all([diagnostics.get(id, snapshotId(req.query.before)), diagnostics.get(id, snapshotId(req.query.after))]);
    if (!before || !after) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such snapshot for this device.');
    // What a technician compared stays readable while newer snapshots push older ones out.
    await diagnostics.retention.pinComparison(id, req.account!.username, before.id, after.id);
    const language = readerLanguage(req);
    const comparison = compareSnapshots(diagnostics.inLanguage(before, language), diagnostics.inLanguage(after, language), language);
    answer(res, restAnswers.comparison, { before: { id: before.id, takenAt: before.takenAt }, after: { id: after.id, takenAt: after.takenAt }, ...comparison });
  });

  return routes;
}
