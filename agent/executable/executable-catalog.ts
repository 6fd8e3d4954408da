/** Why node-pty could not be written out of the executable: the person and the technician read it after "node-pty could not be loaded". */
import { defineCatalog } from '../../protocol/index.js';

export const executableCatalog = defineCatalog({
  notAPack: 'the terminal files in this program are damaged',
  packTruncated: 'the terminal files in this program are incomplete',
  fileMismatch: 'the terminal file {file} in this program is damaged',
  notPrivate: '{folder} may be changed by other accounts, so nothing is loaded from it',
  writtenMismatch: 'the terminal files written to {folder} were changed before they could be used',
}, {
  notAPack: 'les fichiers de terminal de ce programme sont abîmés',
  packTruncated: 'les fichiers de terminal de ce programme sont incomplets',
  fileMismatch: 'le fichier de terminal {file} de ce programme est abîmé',
  notPrivate: "{folder} peut être modifié par d'autres comptes\u00a0: rien n'y est chargé",
  writtenMismatch: 'les fichiers de terminal écrits dans {folder} ont été modifiés avant de pouvoir servir',
});
