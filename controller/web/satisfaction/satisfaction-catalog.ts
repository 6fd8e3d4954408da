/** The words of the satisfaction pieces of the ticket page: the resolution e-mail dialog and the timeline line of an answer. */
import { defineCatalog } from '../../../protocol/index.js';

export const satisfactionCatalog = defineCatalog({
  mailButton: 'Satisfaction e-mail',
  mailTitle: 'Resolution e-mail',
  mailIntro: 'Copy this text into your e-mail to {name}. Its link asks for a rating once, until {date}; making a new text adds a new link (the earlier ones keep working until the survey is answered).',
  mailLanguage: 'Language of the e-mail',
  mailKnownLanguage: 'the requester’s language, seen on their support page',
  mailText: 'E-mail text',
  mailCopy: 'the e-mail text',
  mailClose: 'Close',
  mailFailed: 'The survey link could not be made.',
  evSurveyRated: 'The requester rated the help {rating}/5 {via, select, agent {at the agent} other {on the survey page}}',
  evSurveyNotSolved: 'The requester says the problem is not solved {via, select, agent {(at the agent)} other {(survey page)}}',
}, {
  mailButton: 'Courriel de satisfaction',
  mailTitle: 'Courriel de résolution',
  mailIntro: "Copiez ce texte dans votre courriel à {name}. Son lien demande une note une seule fois, jusqu'au {date}\u00a0; un nouveau texte ajoute un nouveau lien (les précédents restent valables tant que l'enquête n'a pas reçu de réponse).",
  mailLanguage: 'Langue du courriel',
  mailKnownLanguage: 'la langue du demandeur, vue sur sa page d’assistance',
  mailText: 'Texte du courriel',
  mailCopy: 'le texte du courriel',
  mailClose: 'Fermer',
  mailFailed: "Le lien de l'enquête n'a pas pu être créé.",
  evSurveyRated: "Le demandeur a noté l'aide {rating}/5 {via, select, agent {dans l'agent} other {sur la page d'enquête}}",
  evSurveyNotSolved: "Le demandeur indique que le problème n'est pas résolu {via, select, agent {(dans l'agent)} other {(page d'enquête)}}",
});

/** The e-mail itself, in the requester's language (not the technician's): chosen per e-mail. */
export const surveyMailCatalog = defineCatalog({
  subject: 'Your request {number} is resolved: {title}',
  body: 'Hello {name},\n\nYour request {number} “{title}” is resolved:\n\n{resolution}\n\nWas your problem solved? Tell us in a few seconds (the link works once, until {date}):\n{url}\n\nIf the problem is not solved, choose “The problem is not solved” on that page: your request will be reopened.\n\nBest regards,\n{technician}',
}, {
  subject: 'Votre demande {number} est résolue\u00a0: {title}',
  body: "Bonjour {name},\n\nVotre demande {number} «\u00a0{title}\u00a0» est résolue\u00a0:\n\n{resolution}\n\nVotre problème est-il réglé\u00a0? Dites-le-nous en quelques secondes (le lien ne sert qu'une fois, jusqu'au {date})\u00a0:\n{url}\n\nSi le problème n'est pas résolu, choisissez «\u00a0Le problème n'est pas résolu\u00a0» sur cette page\u00a0: votre demande sera rouverte.\n\nCordialement,\n{technician}",
});
