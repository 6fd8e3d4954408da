/** The words a recording itself carries (shown when it is played back). */
import { defineCatalog } from '../../../protocol/index.js';

export const recordingsCatalog = defineCatalog(
  {
    truncated: '[recording truncated: size limit reached]',
    truncatedBehind: '[recording truncated: the disk could not keep up]',
  },
  {
    truncated: '[enregistrement tronqué\u00a0: limite de taille atteinte]',
    truncatedBehind: "[enregistrement tronqué\u00a0: le disque n'a pas suivi]",
  },
);
