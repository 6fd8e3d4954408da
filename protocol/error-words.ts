/**
 * The error catalog's words in French. Codes never change with the language; their
 * words do. The English words live beside each code in errors.ts; this table must name
 * every code (the compiler refuses a missing one), so a new error is translated the
 * day it is written. Vouvoiement, the helpdesk's usual terms (see docs/glossary.md).
 */
import { ERRORS, isErrorCode, type ErrorCode } from './errors.js';
import { FILE_ERROR_WORDS_FR } from './file-errors.js';
import type { Language } from './i18n/language.js';

export const ERROR_WORDS_FR: Readonly<Record<ErrorCode, string>> = Object.freeze({
  PROTO_ERR_BAD_JSON: "Le message n'est pas du JSON valide.",
  PROTO_ERR_INVALID_MESSAGE: 'Le message ne correspond pas à son schéma.',
  PROTO_ERR_UNKNOWN_TYPE: 'Le type de message est inconnu.',
  PROTO_ERR_MESSAGE_TOO_LARGE: 'Le message dépasse la taille permise par le protocole.',
  PROTO_ERR_BAD_FRAME: 'La trame binaire est mal formée.',
  PROTO_ERR_UNKNOWN_CHANNEL: "Aucun canal ouvert ne porte ce numéro.",
  PROTO_ERR_CHANNEL_IN_USE: 'Ce numéro de canal est déjà utilisé.',
  PROTO_ERR_TOO_MANY_CHANNELS: 'Trop de canaux sont ouverts sur cette connexion.',
  PROTO_ERR_HELLO_REQUIRED: 'Le premier message doit être un « hello » valide.',
  PROTO_ERR_TOO_MANY_VIOLATIONS: 'Trop de messages invalides : la connexion est fermée.',
  PROTO_ERR_VERSION_MISMATCH: 'Les deux côtés ne parlent pas la même version du protocole.',
  PROTO_ERR_HANDLER_FAILED: "Le traitement d'un message a échoué à la réception ; l'erreur a été journalisée et cette connexion fermée. Reconnectez-vous.",
  PROTO_ERR_HEARTBEAT_TIMEOUT: "L'autre côté ne répond plus aux signaux de vie.",
  AUTH_ERR_BAD_CREDENTIALS: "Identifiant ou mot de passe incorrect.",
  AUTH_ERR_THROTTLED: 'Trop de tentatives échouées. Patientez quelques minutes avant de réessayer.',
  AUTH_ERR_NO_SESSION: "Vous n'êtes pas connecté, ou votre session a expiré. Reconnectez-vous.",
  AUTH_ERR_BAD_ORIGIN: "Cette requête vient d'un autre site et a été refusée.",
  AUTH_ERR_BAD_CODE: "Ce code d'assistance n'est pas valide. Vérifiez les chiffres ou demandez un nouveau lien à votre technicien.",
  AUTH_ERR_CODE_EXPIRED: "Ce code d'assistance a expiré. Demandez un nouveau lien à votre technicien.",
  AUTH_ERR_CODE_USED: "Ce code d'assistance a déjà servi. Demandez un nouveau lien à votre technicien.",
  AUTH_ERR_BAD_RESUME: "Cette session d'assistance est terminée ou ne peut pas être reprise.",
  AUTH_ERR_FORBIDDEN: "Vous n'avez pas le droit de faire cela.",
  AUTH_ERR_BAD_ENROLLMENT_TOKEN: "Ce jeton d'inscription n'est pas valide. Vérifiez-le ou demandez-en un nouveau à l'administrateur du parc.",
  AUTH_ERR_ENROLLMENT_TOKEN_EXPIRED: "Ce jeton d'inscription a expiré. Demandez-en un nouveau à l'administrateur du parc.",
  AUTH_ERR_ENROLLMENT_TOKEN_USED_UP: "Ce jeton d'inscription a déjà inscrit autant de postes qu'il le permet. Demandez-en un nouveau à l'administrateur du parc.",
  AUTH_ERR_ENROLLMENT_TOKEN_REVOKED: "Ce jeton d'inscription a été révoqué. Demandez-en un nouveau à l'administrateur du parc.",
  AUTH_ERR_KEY_ALREADY_ENROLLED: "Cette clé de poste est déjà inscrite. Inscrivez le poste avec une nouvelle clé (un nouveau dossier d'état).",
  AUTH_ERR_UNKNOWN_DEVICE: "Ce poste n'est pas inscrit auprès de ce contrôleur. Inscrivez-le de nouveau avec un nouveau jeton.",
  AUTH_ERR_DEVICE_REVOKED: "Ce poste a été révoqué par un administrateur et ne peut plus se connecter. Inscrivez-le de nouveau avec un nouveau jeton s'il doit revenir.",
  AUTH_ERR_BAD_SIGNATURE: "Le poste n'a pas pu prouver son identité : sa signature n'a pas été vérifiée. Si l'agent a été réinstallé, inscrivez-le de nouveau.",
  AUTH_ERR_CHALLENGE_EXPIRED: "Le poste n'a pas répondu à temps au défi d'authentification. Il va réessayer.",
  SHELL_ERR_DEVICE_OFFLINE: 'Le poste est hors ligne.',
  SHELL_ERR_DECLINED: "L'utilisateur a refusé la prise en main.",
  SHELL_ERR_NO_ANSWER: "L'utilisateur n'a pas répondu à temps ; aucun terminal n'a été ouvert.",
  SHELL_ERR_REFUSED_BY_POLICY: "Refusé par la règle locale : sur ce poste, elle ne permet pas cette action sans une personne présente pour l'accepter.",
  SHELL_ERR_SPAWN_FAILED: "Le terminal n'a pas pu être lancé sur le poste.",
  TICKET_ERR_NOT_FOUND: 'Aucun ticket ne porte ce numéro ; il a peut-être été supprimé. Rechargez la file des tickets.',
  TICKET_ERR_BAD_TRANSITION: 'Ce ticket ne peut pas passer à cet état depuis son état actuel. Rechargez-le pour voir où il en est.',
  TICKET_ERR_VERSION_CONFLICT: "Quelqu'un d'autre a modifié ce ticket depuis que vous l'avez ouvert. Rechargez-le pour voir ce qui a changé, puis réessayez.",
  TICKET_ERR_FORBIDDEN_ACTION: 'Votre rôle ne permet pas cette action sur ce ticket. Un ticket escaladé est traité par les techniciens de niveau 2 et les administrateurs.',
  TICKET_ERR_REASON_REQUIRED: 'Un motif est obligatoire : indiquez la raison en quelques mots.',
  TICKET_ERR_RESOLUTION_REQUIRED: 'Une solution est obligatoire : décrivez ce qui a réglé le problème et choisissez un type de solution.',
  TICKET_ERR_INVALID_FIELD: 'Un champ du ticket est manquant ou invalide. Vérifiez le champ indiqué dans le message.',
  CHAT_ERR_NO_SESSION: "La conversation passe par une session d'assistance avec une personne devant ce poste\u00a0; un poste inscrit sans session n'en a pas.",
  CHAT_ERR_INVALID_TEXT: 'Un message est une seule ligne de texte simple, de 1 à 2\u00a0000 caractères.',
  RECORDING_ERR_INVALID: "Cet enregistrement est endommagé ou n'est pas un fichier asciicast v2 ; il ne peut pas être lu.",
  AUTH_ERR_BAD_API_TOKEN: "Ce jeton d'API n'est pas valide ou a été supprimé. Créez-en un nouveau dans l'interface web (Jetons d'API).",
  SCRIPT_ERR_NOT_FOUND: "Aucun script de la bibliothèque ne porte cet identifiant ou ce nom. Listez-les avec GET /api/scripts.",
  SCRIPT_ERR_NAME_TAKEN: 'Un autre script porte déjà ce nom. Choisissez-en un autre.',
  SCRIPT_ERR_BUILT_IN: 'Les scripts fournis ne peuvent pas être supprimés. Copiez-en un sous un nouveau nom pour le modifier.',
  JOB_ERR_NO_DEVICES: 'Aucun poste inscrit ne correspond à cette cible. Vérifiez les identifiants, le libellé ou le groupe.',
  JOB_ERR_NOT_FOUND: "Aucune tâche ne porte cet identifiant.",
  JOB_ERR_NOT_MANAGED: "Cet agent a rejoint par un lien d'assistance ; les tâches du parc ne s'exécutent que sur les postes inscrits (gérés).",
  USER_ERR_BAD_USERNAME: "Un identifiant compte de 3 à 32 caractères : lettres minuscules, chiffres, point, tiret bas ou tiret (par ex. sam.lee).",
  USER_ERR_WEAK_PASSWORD: 'Un mot de passe compte au moins 12 caractères. Quelques mots sans rapport entre eux en font un solide et facile à taper.',
  USER_ERR_USERNAME_TAKEN: "Cet identifiant appartient à un autre compte (ou à un compte supprimé). Choisissez-en un autre.",
  USER_ERR_NOT_FOUND: "Aucun compte ne porte cet identifiant ; il a peut-être été supprimé. Rechargez la liste des techniciens.",
  USER_ERR_LAST_ADMIN: "C'est le dernier administrateur. Nommez d'abord un autre compte administrateur.",
  USER_ERR_WRONG_PASSWORD: "Votre mot de passe actuel n'est pas le bon. Saisissez-le de nouveau ; rien n'a été modifié.",
  SESSION_ERR_ENDED: "La session d'assistance est terminée.",
  SESSION_ERR_REPLACED: "Une autre connexion a repris cette session d'assistance.",
  SESSION_ERR_RESUME_THROTTLED: "Trop de reconnexions à cette session d'assistance en peu de temps. L'agent réessaie de lui-même dans un instant.",
  LINK_ERR_TOO_MANY_WAITING: "Vous avez trop de liens d'assistance en attente. Utilisez l'un d'eux, ou attendez qu'ils expirent, puis créez-en un nouveau.",
  HTTP_ERR_BAD_REQUEST: 'La requête est mal formée.',
  HTTP_ERR_NOT_FOUND: 'Introuvable.',
  HTTP_ERR_UNKNOWN_HOST: "Ce contrôleur ne répond pas à ce nom d'hôte. Utilisez son adresse, ou demandez à son administrateur d'ajouter ce nom avec --allowed-host.",
  HTTP_ERR_BAD_ANSWER: "Le contrôleur a envoyé une réponse que cette page ne comprend pas. Rechargez la page ; si cela se reproduit, le contrôleur fonctionne peut-être dans une autre version.",
  HTTP_ERR_INTERNAL: "Une erreur s'est produite sur le contrôleur. Elle a été journalisée.",
  SERVER_ERR_SHUTDOWN: "Le contrôleur s'arrête.",
  // ---- file transfers (file-errors.ts) ----
  ...FILE_ERROR_WORDS_FR,
});

/** The words for an error code in a language (falls back to the code when it is not ours). */
export function errorWords(code: string, language: Language): string {
  if (!isErrorCode(code)) return code;
  return language === 'fr' ? ERROR_WORDS_FR[code] : ERRORS[code].message;
}
