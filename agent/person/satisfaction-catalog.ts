/** What the person reads when the agent asks them to rate a resolved request (terminal text, no markup). */
import { defineCatalog } from '../../protocol/index.js';

export const satisfactionCatalog = defineCatalog({
  resolved: 'Your request {number} “{title}” was marked as resolved{technician, select, none {} other { by {technician}}}.',
  question: 'Was your problem solved? Rate the help you received: 1 (very poor) to 5 (excellent), N if the problem is not solved, Enter to skip.',
  promptKey: 'Your rating [1-5/N]:',
  promptLine: 'Your rating (1 to 5, N, or an empty line to skip):',
  chosenRating: 'Your rating: {rating}/5.',
  chosenNotSolved: 'The problem is not solved: your request will be reopened.',
  commentKey: 'A comment? One line, then Enter (Esc or an empty line: no comment).',
  commentLine: 'A comment? One line (an empty line: no comment).',
  sent: 'Thank you, your answer was sent.',
  notSent: 'Your answer could not be sent (not connected). You can still answer from the support page.',
  skipped: 'No answer sent. You can still answer later from the support page.',
}, {
  resolved: 'Votre demande {number} «\u00a0{title}\u00a0» a été marquée comme résolue{technician, select, none {} other { par {technician}}}.',
  question: "Votre problème est-il réglé\u00a0? Notez l'aide reçue\u00a0: de 1 (très insatisfait) à 5 (très satisfait), N si le problème n'est pas résolu, Entrée pour passer.",
  promptKey: 'Votre note [1-5/N]\u00a0:',
  promptLine: 'Votre note (de 1 à 5, N, ou une ligne vide pour passer)\u00a0:',
  chosenRating: 'Votre note\u00a0: {rating}/5.',
  chosenNotSolved: "Le problème n'est pas résolu\u00a0: votre demande sera rouverte.",
  commentKey: 'Un commentaire\u00a0? Une ligne, puis Entrée (Échap ou une ligne vide\u00a0: pas de commentaire).',
  commentLine: 'Un commentaire\u00a0? Une ligne (une ligne vide\u00a0: pas de commentaire).',
  sent: 'Merci, votre réponse a été envoyée.',
  notSent: "Votre réponse n'a pas pu être envoyée (pas de connexion). Vous pouvez encore répondre depuis la page d'assistance.",
  skipped: "Aucune réponse envoyée. Vous pourrez encore répondre depuis la page d'assistance.",
});
