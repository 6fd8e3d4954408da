/** The words a recording itself carries (shown when it is played back). */
import { defineCatalog } from '../../../protocol/index.js';

export const recordingsCatalog = defineCatalog(
  {
    truncated: '[recording truncated: size limit reached]',
  },
  {
    truncated: '[enregistrement tronqué\u00a0: limite de taille atteinte]',
  },
);
