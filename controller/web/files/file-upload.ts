/**
 * The upload of a file the person agreed to receive. The body is the File itself: the
 * browser streams it from disk, the page never reads it into memory, and the controller
 * reads it only as fast as the device writes it (TCP holds the browser back). Progress
 * and the outcome come over the console socket; this answers only for a failure the
 * socket may not have told (the connection dropped under the upload).
 */
import { errorAnswer, errorWords } from '../../../protocol/index.js';
import { language, wordsOf } from '../app/language.js';
import { filesCatalog } from './files-catalog.js';

const t = wordsOf(filesCatalog);

/** Uploads `file` for transfer `id`; resolves with null once done or cancelled, else with the words of the failure. */
export async function uploadFile(id: string, file: File, signal: AbortSignal): Promise<string | null> {
  try {
    const response = await fetch(`/api/files/${encodeURIComponent(id)}/upload`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
      body: file,
      signal,
    });
    if (response.ok) {
      await response.body?.cancel();
      return null;
    }
    const refusal = errorAnswer.safeParse(await response.json().catch(() => null));
    return refusal.success ? errorWords(refusal.data.error.code, language()) : t('failedUpload');
  } catch {
    return signal.aborted ? null : t('failedUpload');
  }
}
