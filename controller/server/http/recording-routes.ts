/**
 * Shell recordings (issue 10), documented in the README's REST table. Mounted after the
 * session guard: any logged-in account (cookie or API token) may list, read and download
 * them; every download is audited. The .cast file is streamed from disk, never read whole.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import { recordingAnswers, recordingQuery, type RecordingView } from '../../../protocol/rest-recording-answers.js';
import type { RecordingStore } from '../recordings/recording-store.js';
import type { AuditLog } from '../audit/audit.js';
import { answer } from './answer.js';
import { badQuery } from './errors.js';
import { clientIp } from './origin.js';

export interface RecordingDeps {
  readonly recordings: RecordingStore;
  readonly audit: AuditLog;
}

const RECORDING_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `relais-<device>-<YYYYMMDD-HHMMSS UTC>.cast`: a file name, not words (no quotes, slashes or spaces). */
export function castFileName(recording: Pick<RecordingView, 'deviceId' | 'startedAt'>): string {
  const device = recording.deviceId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'device';
  const stamp = new Date(recording.startedAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `relais-${device}-${stamp}.cast`;
}

export function recordingRoutes(deps: RecordingDeps): Router {
  const routes = Router();

  const find = async (id: string): Promise<RecordingView> => {
    const recording = RECORDING_ID.test(id) ? await deps.recordings.get(id) : null;
    if (!recording) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such recording.'); // i18n-ignore: the log's detail; the reader gets the catalog's words
    return recording;
  };

  routes.get('/recordings', async (req, res) => {
    const query = recordingQuery.safeParse(req.query);
    if (!query.success) throw badQuery(query.error);
    answer(res, recordingAnswers.list, await deps.recordings.list(query.data));
  });

  routes.get('/recordings/:id', async (req, res) => {
    answer(res, recordingAnswers.one, { recording: await find(String(req.params.id)) });
  });

  routes.get('/recordings/:id/cast', async (req, res) => {
    const recording = await find(String(req.params.id));
    const path = deps.recordings.pathOf(recording);
    const file = await stat(path).catch(() => null);
    if (!file?.isFile()) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'The recording file is gone.'); // i18n-ignore: the log's detail
    deps.audit.note({ actor: req.account!.username, action: 'recording.downloaded', target: recording.deviceId, detail: { recordingId: recording.id, bytes: file.size }, ip: clientIp(req) });
    res.status(200);
    res.setHeader('Content-Type', 'application/x-asciicast');
    res.setHeader('Content-Disposition', `attachment; filename="${castFileName(recording)}"`);
    res.setHeader('Cache-Control', 'no-store');
    // What is on disk now: a recording still being written is sent up to its current size.
    res.setHeader('Content-Length', String(file.size));
    if (file.size === 0) return void res.end();
    await pipeline(createReadStream(path, { start: 0, end: file.size - 1 }), res).catch(() => res.destroy());
  });

  return routes;
}
