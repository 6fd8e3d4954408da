/** The words of the device page's chat panel (issue 15, point 4). */
import { defineCatalog } from '../../../protocol/index.js';

export const chatCatalog = defineCatalog({
  title: 'Chat with the person',
  hint: 'Plain text, shown on the person\'s screen; never run. The person answers from the agent (M key) or the support page.',
  label: 'Message to the person',
  placeholder: 'Write a message…',
  send: 'Send',
  empty: 'No messages yet.',
  older: 'Earlier messages',
  person: 'The person',
  failed: 'The chat history could not be loaded.',
  noSession: 'Chat needs a support session: this device has none.',
  offline: 'The device is offline: messages reach the person only while the agent is connected.',
  tooLong: '{count, plural, one {# character} other {# characters}} over the limit.',
}, {
  title: 'Échanger avec la personne',
  hint: "Texte simple, affiché sur l'écran de la personne\u00a0; jamais exécuté. La personne répond depuis l'agent (touche M) ou la page d'assistance.",
  label: 'Message à la personne',
  placeholder: 'Écrivez un message…',
  send: 'Envoyer',
  empty: 'Aucun message pour le moment.',
  older: 'Messages précédents',
  person: 'La personne',
  failed: "L'historique des messages n'a pas pu être chargé.",
  noSession: "La conversation passe par une session d'assistance\u00a0: ce poste n'en a pas.",
  offline: "Le poste est hors ligne\u00a0: les messages n'arrivent à la personne que lorsque l'agent est connecté.",
  tooLong: '{count, plural, one {# caractère} other {# caractères}} de trop.',
});
