/**
 * The HTTP side of file transfers (controller/server/files/), documented in the README's
 * REST table. Mounted after the session guard: the browser uploads the file it sends and
 * downloads the file it fetched, once the person said yes, and only the account that
 * asked may (the transfer id alone is not enough). Bytes are streamed, never read whole.
 */
import { Router } from 'express';
import { fileAnswers } from '../../../protocol/index.js';
import type { FileTransfers } from '../files/file-transfers.js';
import { answer } from './answer.js';

export interface FileDeps {
  readonly files: FileTransfers;
}

export function fileRoutes(deps: FileDeps): Router {
  const routes = Router();

  routes.post('/files/:id/upload', async (req, res) => {
    try {
      const transfer = await deps.files.upload(String(req.params.id), req.account!, req);
      answer(res, fileAnswers.upload, { transfer });
    } catch (error) {
      // Refused or failed before the whole body arrived: answer, then close rather than read the rest of it.
      if (!req.complete) {
        res.setHeader('Connection', 'close');
        res.once('finish', () => req.destroy());
      }
      throw error;
    }
  });

  routes.get('/files/:id/download', (req, res) => {
    deps.files.download(String(req.params.id), req.account!, res);
  });

  return routes;
}
