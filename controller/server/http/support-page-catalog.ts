/** The words of the support page (`/s/:code`), the page the person needing help opens. Values are HTML-escaped before formatting. */
import { defineCatalog } from '../../../protocol/index.js';

export const supportPageCatalog = defineCatalog({
  pageTitle: 'Remote assistance',
  problemTitle: 'Support link',
  brand: '{organization} · Relais remote assistance',
  languageSwitch: 'Language',
  heading: '{technician} from {organization} would like to help you',
  lead: 'Your support code is below. It works once and expires in about {minutes, plural, one {# minute} other {# minutes}}.',
  startHeading: 'Start the Relais agent',
  startText: 'Open a terminal (Linux or macOS: <em>Terminal</em>; Windows: <em>PowerShell</em>) and run this one command. It needs <a href="https://nodejs.org/" rel="noreferrer">Node.js</a> 20 or newer.',
  doesHeading: 'What the agent does',
  doesSummary: 'Shows {technician} a summary of this computer: name, system, processor, memory, disks, network addresses.',
  doesAsks: 'Asks <strong>you</strong>, in your terminal, before anything runs. No answer means no.',
  doesShows: 'Shows you everything that happens in a remote shell while it is open.',
  neverHeading: 'What it never does',
  neverShell: 'Open a shell or run anything without your yes.',
  neverStays: 'Keep running after you end the session (Ctrl+C), or start again on its own.',
  neverReads: 'Read your files or screen in the background.',
  footer: "You can end the session at any time with Ctrl+C in the agent's terminal. Link: {link}",
  problemHeading: 'This support link cannot be used',
}, {
  pageTitle: 'Assistance à distance',
  problemTitle: "Lien d'assistance",
  brand: '{organization} · Relais, assistance à distance',
  languageSwitch: 'Langue',
  heading: '{technician}, de {organization}, souhaite vous aider',
  lead: "Votre code d'assistance figure ci-dessous. Il ne sert qu'une fois et expire dans {minutes, plural, one {# minute} other {# minutes}} environ.",
  startHeading: "Lancez l'agent Relais",
  startText: 'Ouvrez un terminal (Linux ou macOS\u00a0: <em>Terminal</em>\u00a0; Windows\u00a0: <em>PowerShell</em>) et lancez cette seule commande. Il vous faut <a href="https://nodejs.org/" rel="noreferrer">Node.js</a> 20 ou plus récent.',
  doesHeading: "Ce que fait l'agent",
  doesSummary: 'Il montre à {technician} un résumé de votre poste de travail\u00a0: nom, système, processeur, mémoire, disques, adresses réseau.',
  doesAsks: "Il <strong>vous</strong> demande votre accord, dans votre terminal, avant toute action. Sans réponse, c'est non.",
  doesShows: "Il vous montre tout ce qui se passe dans le terminal à distance tant qu'il est ouvert.",
  neverHeading: "Ce qu'il ne fait jamais",
  neverShell: 'Ouvrir un terminal ou lancer quoi que ce soit sans votre accord.',
  neverStays: 'Continuer à tourner après la fin de la session (Ctrl+C), ou redémarrer de lui-même.',
  neverReads: 'Lire vos fichiers ou votre écran à votre insu.',
  footer: "Vous pouvez mettre fin à la session à tout moment avec Ctrl+C dans le terminal de l'agent. Lien\u00a0: {link}",
  problemHeading: "Ce lien d'assistance ne peut pas être utilisé",
});

/** Each language's name written in that language, the same whatever the page's language. */
export const LANGUAGE_NAMES = Object.freeze({ fr: 'Français', en: 'English' });
