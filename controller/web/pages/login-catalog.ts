/** The login screen's words. */
import { defineCatalog } from '../../../protocol/index.js';

export const loginCatalog = defineCatalog(
  {
    pageTitle: 'Log in · Relais',
    username: 'Username',
    password: 'Password',
    submit: 'Log in',
    submitting: 'Logging in…',
    missing: 'Enter your username and password.',
    failed: 'Something went wrong. Try again.',
    tagline: 'Remote assistance for your helpdesk. Log in to help someone.',
    promise: 'Shells open only after the person you help says yes on their own screen.',
    languageSwitch: 'Language',
    french: 'Français',
    english: 'English',
  },
  {
    pageTitle: 'Connexion · Relais',
    username: 'Identifiant',
    password: 'Mot de passe',
    submit: 'Se connecter',
    submitting: 'Connexion…',
    missing: 'Saisissez votre identifiant et votre mot de passe.',
    failed: 'Une erreur est survenue. Réessayez.',
    tagline: "L'assistance à distance de votre support informatique. Connectez-vous pour aider quelqu'un.",
    promise: "Aucun terminal ne s'ouvre sans l'accord de la personne, donné sur son propre écran.",
    languageSwitch: 'Langue',
    french: 'Français',
    english: 'English',
  },
);
