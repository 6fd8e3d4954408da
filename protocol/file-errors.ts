/**
 * The file transfers' part of the error catalog (errors.ts joins it to ERRORS,
 * error-words.ts to the French words), kept in a block of its own. None closes a
 * socket: a transfer fails, the connection stays.
 */
export const FILE_ERRORS = Object.freeze({
  FILE_ERR_DECLINED: { message: 'The person declined the file transfer; nothing was sent or read.', status: 403, close: null },
  FILE_ERR_NO_ANSWER: { message: 'The person did not answer in time; nothing was sent or read.', status: 408, close: null },
  FILE_ERR_REFUSED_BY_POLICY: { message: "Refused by policy: this device's local policy does not allow file transfers without a person at the machine to say yes.", status: 403, close: null },
  FILE_ERR_TOO_LARGE: { message: 'The file is larger than the transfer limit. Compress or split it, or ask an administrator to raise the limit.', status: 413, close: null },
  FILE_ERR_PATH_REFUSED: { message: 'This path was refused: name one regular file by its full path, with no ".." and no link on the way; folders and devices cannot be fetched.', status: 403, close: null },
  FILE_ERR_NOT_FOUND: { message: 'There is no file at that path on the device. Check the folder and the spelling.', status: 404, close: null },
  FILE_ERR_IO: { message: 'The file could not be read or written on the device; the partial file was deleted.', status: 500, close: null },
  FILE_ERR_NO_SPACE: { message: 'There is not enough free space on the device for this file.', status: 507, close: null },
  FILE_ERR_INTEGRITY: { message: "The file arrived damaged: its SHA-256 does not match the sender's. The partial file was deleted; transfer it again.", status: 422, close: null },
  FILE_ERR_SIZE_MISMATCH: { message: 'The data received does not have the size announced for the file. Choose the file again.', status: 400, close: null },
  FILE_ERR_CANCELLED: { message: 'The file transfer was cancelled; the partial file was deleted.', status: 409, close: null },
  FILE_ERR_INTERRUPTED: { message: 'The connection to the device was lost during the transfer; the partial file is not kept. Try again once the device is back.', status: 502, close: null },
  FILE_ERR_NOT_READY: { message: 'This transfer is not waiting for its upload or download: it is not allowed yet, already started, or over.', status: 409, close: null },
  FILE_ERR_STALLED: { message: 'Nothing moved for a minute, so the transfer was stopped; the partial file was deleted. Try again.', status: 504, close: null },
} as const);

export type FileErrorCodeName = keyof typeof FILE_ERRORS;
export const FILE_ERROR_CODES = Object.keys(FILE_ERRORS) as [FileErrorCodeName, ...FileErrorCodeName[]];

/** The same words in French (vouvoiement, the helpdesk's terms: docs/glossary.md). */
export const FILE_ERROR_WORDS_FR: Readonly<Record<FileErrorCodeName, string>> = Object.freeze({
  FILE_ERR_DECLINED: "La personne a refusé le transfert de fichier\u00a0; rien n'a été envoyé ni lu.",
  FILE_ERR_NO_ANSWER: "La personne n'a pas répondu à temps\u00a0; rien n'a été envoyé ni lu.",
  FILE_ERR_REFUSED_BY_POLICY: "Refusé par la règle locale\u00a0: sur ce poste, elle ne permet pas les transferts de fichiers sans une personne présente pour les accepter.",
  FILE_ERR_TOO_LARGE: "Le fichier dépasse la taille maximale d'un transfert. Compressez-le ou découpez-le, ou demandez à un administrateur de relever la limite.",
  FILE_ERR_PATH_REFUSED: "Ce chemin a été refusé\u00a0: indiquez un seul fichier ordinaire par son chemin complet, sans «\u00a0..\u00a0» ni lien en chemin\u00a0; un dossier ou un périphérique ne peut pas être récupéré.",
  FILE_ERR_NOT_FOUND: "Aucun fichier à ce chemin sur le poste. Vérifiez le dossier et l'orthographe.",
  FILE_ERR_IO: "Le fichier n'a pas pu être lu ou écrit sur le poste\u00a0; le fichier partiel a été supprimé.",
  FILE_ERR_NO_SPACE: "L'espace libre sur le poste ne suffit pas pour ce fichier.",
  FILE_ERR_INTEGRITY: "Le fichier est arrivé endommagé\u00a0: son empreinte SHA-256 ne correspond pas à celle de l'expéditeur. Le fichier partiel a été supprimé\u00a0; transférez-le de nouveau.",
  FILE_ERR_SIZE_MISMATCH: "Les données reçues n'ont pas la taille annoncée pour le fichier. Choisissez de nouveau le fichier.",
  FILE_ERR_CANCELLED: 'Le transfert de fichier a été annulé\u00a0; le fichier partiel a été supprimé.',
  FILE_ERR_INTERRUPTED: "La connexion avec le poste a été perdue pendant le transfert\u00a0; le fichier partiel n'est pas conservé. Réessayez quand le poste sera de retour.",
  FILE_ERR_NOT_READY: "Ce transfert n'attend pas son envoi ou son téléchargement\u00a0: il n'est pas encore autorisé, il a déjà commencé, ou il est terminé.",
  FILE_ERR_STALLED: "Rien n'a bougé pendant une minute\u00a0: le transfert a été arrêté et le fichier partiel supprimé. Réessayez.",
});
