/**
 * Every word the `relais` command line prints, in English and French. Options,
 * commands, codes and JSON stay as they are; statuses are shown in words in the
 * tables, never in --json.
 */
import { defineCatalog } from '../../protocol/index.js';

export const cliCatalog = defineCatalog({
  usage: `Usage: relais fleet|tickets <command> [options]

Fleet commands (relais fleet ...):
  run --script NAME (--tag T | --group G | --device ID...) [--param NAME=VALUE]...
      [--concurrency N] [--timeout SECONDS]
                        run a script on many devices, show progress, then one line per device
  jobs                  list jobs, newest first
  job ID                show a job and one line per device
  cancel ID             cancel a job: pending devices are skipped, running ones stopped

Ticket commands (relais tickets ...):
  list [--status S,S] [--level L1|L2] [--mine] [--followed] [--text WORDS] [--limit N]
                        the queue, nearest deadline first (default: 50 tickets of any status)
  show NUMBER           a ticket (1042 or #1042) and its timeline
  note NUMBER TEXT|- [--person]
                        add a note (Markdown; - reads it from standard input);
                        --person makes it visible to the user, else it is internal

Options for every command:
  --controller URL      the controller (or RELAIS_CONTROLLER)
  --token TOKEN         an API token created in the web UI (or RELAIS_TOKEN; safer: not in your shell history)
  --json                print JSON instead of tables
  --request-timeout S   give up on an unanswered request after S seconds (default 10)
  --lang fr|en          the language of messages and tables (default: LANG, then the system's)

Exit status: 0 done (fleet: every device succeeded), 1 a device failed, was refused or timed out,
2 the command line is wrong or the controller refused the request (an unknown ticket),
3 the controller could not be reached, refused the token or answered nonsense.`,
  CLI_ERR_USAGE: 'The command line is not valid.',
  CLI_ERR_NO_CONTROLLER: 'No controller given. Pass --controller URL or set RELAIS_CONTROLLER.',
  CLI_ERR_NO_TOKEN: 'No API token given. Create one in the web UI (Settings → API tokens), then pass --token or set RELAIS_TOKEN.',
  CLI_ERR_UNREACHABLE: 'Could not reach the controller. Check the URL and that the controller is running.',
  CLI_ERR_TIMEOUT: 'The controller did not answer in time. Check that it is running and reachable, then try again.',
  CLI_ERR_BAD_ANSWER: 'The controller sent an answer this command does not understand. Check that --controller points at a Relais controller of the same version.',
  refusedHttp: 'The controller refused the request (HTTP {status}).',
  unexpectedError: 'unexpected error: {message}',
  unknownOption: 'Unknown option {option}.',
  needsValue: 'Option {option} needs a value.',
  takesNoValue: 'Option {option} takes no value.',
  unknownCommand: 'Unknown command "{command}".',
  noCommand: 'No command given.',
  onlyOnce: 'Option {flag} may be given once.',
  notApplicable: 'Option {flag} does not apply to "{sub}".',
  unexpectedArgument: 'Unexpected argument "{argument}".',
  whichScript: 'Which script? Pass --script NAME (the names are listed in the web UI, e.g. flush-dns).',
  needsJobId: '"fleet {sub}" needs exactly one job id.',
  notJobId: '"{id}" is not a job id.',
  unknownFleetCommand: 'Unknown fleet command "{sub}".',
  whichFleetCommand: 'Which fleet command? run, jobs, job or cancel.',
  controllerNotUrl: '--controller must be a URL like http://helpdesk.example:8080, got "{raw}".',
  controllerScheme: '--controller must be an http:// or https:// URL.',
  controllerUserinfo: '--controller must not carry a user name or password; use --token.',
  notToken: 'That is not an API token (16 to 256 letters, digits, _ or -); copy it again from the web UI.',
  chooseDevices: 'Choose the devices with exactly one of --tag T, --group G or --device ID (repeatable).',
  notTag: '"{tag}" is not a tag: letters, digits, . _ : or -.',
  notGroup: '--group must be a group name (at most 64 characters).',
  notDeviceId: '"{id}" is not a device id.',
  deviceNeedsId: '--device needs at least one device id.',
  paramSyntax: '--param takes NAME=VALUE with a name of letters, digits and _, got "{pair}".',
  paramTwice: '--param {name} is given twice.',
  wholeNumber: '{flag} must be a whole number from {min} to {max}, got "{raw}".',
  notLanguage: '--lang must be fr or en, got "{raw}".',
  answerNotJson: '{method} {path} answered HTTP {status} with something that is not JSON.',
  answerNotRelaisError: '{method} {path} answered HTTP {status} without a Relais error.',
  answerInvalid: '{method} {path}: {where} {problem}.',
  theAnswer: 'the answer',
  isInvalid: 'is invalid',
  answerRedirect: "{method} {path} answered with a redirect (HTTP {status}); use the controller's final address.",
  noAnswerWithin: 'No complete answer to {method} {path} within {seconds} s.',
  address: '{hasCause, select, yes {Address: {controller} ({cause}).} other {Address: {controller}.}}',
  answerTooLarge: '{what} answered with more than {size}.',
  jobStarted: '{count, plural, one {Job {id}: {script} on # device.} other {Job {id}: {script} on # devices.}}',
  noJobs: 'No jobs yet.',
  jobCancelled: 'Job {id} is {status}: pending devices are skipped, running ones are being stopped.',
  stoppedWatching: 'Stopped watching. Job {id} keeps running on the controller; cancel it with: relais fleet cancel {id}',
  totals: 'Job {id} ({script}): {status}; {succeeded} of {total, plural, one {# device succeeded} other {# devices succeeded}}{notOk, plural, =0 {} other {, # did not}}{open, plural, =0 {} other {, # not finished}}.',
  progress: '[{bar}] {done}/{total} done · {succeeded} succeeded · {failed} failed · {refused} refused · {running} running',
  headDevice: 'DEVICE',
  headStatus: 'STATUS',
  headExit: 'EXIT',
  headDuration: 'DURATION',
  headOutput: 'OUTPUT',
  headJob: 'JOB',
  headScript: 'SCRIPT',
  headDevices: 'DEVICES',
  headSucceeded: 'SUCCEEDED',
  headNotOk: 'NOT OK',
  headCreated: 'CREATED',
  milliseconds: '{value} ms',
  seconds: '{value} s',
  jobStatus: '{status, select, running {running} completed {completed} cancelled {cancelled} expired {expired} other {{status}}}',
  runStatus: '{status, select, pending {pending} dispatched {dispatched} running {running} succeeded {succeeded} failed {failed} timedOut {timed-out} refused {refused} cancelled {cancelled} expired {expired} error {error} other {{status}}}',
  needsTicketNumber: '"tickets {sub}" needs a ticket number (1042 or #1042).',
  notTicketNumber: '"{raw}" is not a ticket number (1042 or #1042).',
  notLevel: '--level must be L1 or L2, got "{raw}".',
  notStatus: '--status takes statuses separated by commas ({statuses}), got "{raw}".',
  noteNeedsText: 'What does the note say? Give its text, or - to read it from standard input.',
  noteTooLong: 'A note has at most {max} characters; this one has {length}.',
  noteEmpty: 'The note is empty: nothing was added.',
  unknownTicketsCommand: 'Unknown tickets command "{sub}".',
  whichTicketsCommand: 'Which tickets command? list, show or note.',
  noTickets: 'No ticket matches.',
  ticketsShown: '{shown} of {total, plural, one {# ticket} other {# tickets}}{more, select, yes { (more with --limit)} other {}}.',
  headNumber: 'NO.',
  headPriority: 'PRI',
  headLevel: 'LEVEL',
  headAssignee: 'ASSIGNED TO',
  headDeadline: 'DEADLINE',
  headTitle: 'TITLE',
  nobody: 'nobody',
  durationHours: '{hours} h {minutes} min',
  durationMinutes: '{minutes} min',
  durationWholeHours: '{hours} h',
  slaLeft: '{time} left',
  slaOverdue: 'overdue by {time}',
  slaPaused: 'paused',
  slaStopped: '{state, select, breached {missed} other {met}}',
  labelStatus: 'Status',
  labelLevel: 'Level',
  labelRequester: 'Requester',
  labelDevices: 'Devices',
  labelCreated: 'Created',
  labelUpdated: 'Updated',
  labelDescription: 'Description',
  labelTimeline: 'Timeline',
  heading: '{label}:',
  labelEscalation: 'Escalated because',
  labelWaiting: 'Waiting because',
  followersCount: '{count, plural, one {# follower} other {# followers}}',
  evCreated: '{actor} created the ticket.',
  evNote: '{visibility, select, person {{actor} wrote to the user:} other {{actor} added an internal note:}}',
  evPersonDescribed: 'The user described the problem:',
  evAgentJoined: 'The agent joined from {hostname}.',
  evShell: '{kind, select, shell_opened {{actor} opened a shell.} other {The shell closed.}}',
  evFindings: '{count, plural, =0 {New diagnostics: no finding.} one {New diagnostics: # finding.} other {New diagnostics: # findings.}}',
  evEdited: '{actor} edited the ticket.',
  evOther: '{actor}: {kind}',
  controllerActor: 'the controller',
  moreEvents: 'Only the first {count} events are shown; the web UI has the rest.',
  noteAdded: 'Note added to #{number}{visibility, select, person { (visible to the user)} other { (internal)}}.',
}, {
  usage: `Utilisation\u00a0: relais fleet|tickets <commande> [options]

Commandes du parc (relais fleet ...)\u00a0:
  run --script NOM (--tag T | --group G | --device ID...) [--param NOM=VALEUR]...
      [--concurrency N] [--timeout SECONDES]
                        lance un script sur plusieurs postes, affiche l'avancement, puis une ligne par poste
  jobs                  liste les tâches, les plus récentes d'abord
  job ID                affiche une tâche et une ligne par poste
  cancel ID             annule une tâche\u00a0: les postes en attente sont ignorés, les exécutions en cours arrêtées

Commandes des tickets (relais tickets ...)\u00a0:
  list [--status S,S] [--level L1|L2] [--mine] [--followed] [--text MOTS] [--limit N]
                        la file, de l'échéance la plus proche à la plus lointaine (par défaut\u00a0: 50 tickets de tout statut)
  show NUMÉRO           un ticket (1042 ou #1042) et son historique
  note NUMÉRO TEXTE|- [--person]
                        ajoute une note (Markdown\u00a0; - la lit sur l'entrée standard)\u00a0;
                        --person la rend visible par l'utilisateur, sinon elle est interne

Options de toutes les commandes\u00a0:
  --controller URL      le contrôleur (ou RELAIS_CONTROLLER)
  --token JETON         un jeton d'API créé dans l'interface web (ou RELAIS_TOKEN, plus sûr\u00a0: absent de l'historique du terminal)
  --json                affiche du JSON au lieu de tableaux
  --request-timeout S   abandonne une requête restée sans réponse après S secondes (10 par défaut)
  --lang fr|en          la langue des messages et des tableaux (par défaut\u00a0: LANG, puis celle du système)

Code de sortie\u00a0: 0 fait (parc\u00a0: tous les postes ont réussi), 1 un poste a échoué, refusé ou dépassé le délai,
2 la ligne de commande est incorrecte ou le contrôleur a refusé la requête (un ticket inconnu),
3 le contrôleur est injoignable, a refusé le jeton ou a répondu n'importe quoi.`,
  CLI_ERR_USAGE: "La ligne de commande n'est pas valide.",
  CLI_ERR_NO_CONTROLLER: 'Aucun contrôleur indiqué. Passez --controller URL ou définissez RELAIS_CONTROLLER.',
  CLI_ERR_NO_TOKEN: "Aucun jeton d'API indiqué. Créez-en un dans l'interface web (Paramètres → Jetons d'API), puis passez --token ou définissez RELAIS_TOKEN.",
  CLI_ERR_UNREACHABLE: "Impossible de joindre le contrôleur. Vérifiez l'URL et que le contrôleur fonctionne.",
  CLI_ERR_TIMEOUT: "Le contrôleur n'a pas répondu à temps. Vérifiez qu'il fonctionne et qu'il est joignable, puis réessayez.",
  CLI_ERR_BAD_ANSWER: 'Le contrôleur a envoyé une réponse que cette commande ne comprend pas. Vérifiez que --controller désigne un contrôleur Relais de la même version.',
  refusedHttp: 'Le contrôleur a refusé la requête (HTTP {status}).',
  unexpectedError: 'erreur inattendue\u00a0: {message}',
  unknownOption: 'Option inconnue\u00a0: {option}.',
  needsValue: "L'option {option} attend une valeur.",
  takesNoValue: "L'option {option} ne prend pas de valeur.",
  unknownCommand: 'Commande inconnue\u00a0: «\u00a0{command}\u00a0».',
  noCommand: 'Aucune commande indiquée.',
  onlyOnce: "L'option {flag} ne peut être donnée qu'une fois.",
  notApplicable: "L'option {flag} ne s'applique pas à «\u00a0{sub}\u00a0».",
  unexpectedArgument: 'Argument inattendu\u00a0: «\u00a0{argument}\u00a0».',
  whichScript: "Quel script\u00a0? Passez --script NOM (les noms figurent dans l'interface web, par ex. flush-dns).",
  needsJobId: '«\u00a0fleet {sub}\u00a0» attend exactement un identifiant de tâche.',
  notJobId: "«\u00a0{id}\u00a0» n'est pas un identifiant de tâche.",
  unknownFleetCommand: 'Commande fleet inconnue\u00a0: «\u00a0{sub}\u00a0».',
  whichFleetCommand: 'Quelle commande fleet\u00a0? run, jobs, job ou cancel.',
  controllerNotUrl: '--controller doit être une URL comme http://helpdesk.example:8080, reçu «\u00a0{raw}\u00a0».',
  controllerScheme: '--controller doit être une URL http:// ou https://.',
  controllerUserinfo: '--controller ne doit contenir ni identifiant ni mot de passe\u00a0; utilisez --token.',
  notToken: "Ce n'est pas un jeton d'API (16 à 256 lettres, chiffres, _ ou -)\u00a0; copiez-le de nouveau depuis l'interface web.",
  chooseDevices: 'Choisissez les postes avec une seule des options --tag T, --group G ou --device ID (répétable).',
  notTag: "«\u00a0{tag}\u00a0» n'est pas un libellé\u00a0: lettres, chiffres, point, tiret bas, deux-points ou tiret.",
  notGroup: '--group doit être un nom de groupe (64 caractères au plus).',
  notDeviceId: "«\u00a0{id}\u00a0» n'est pas un identifiant de poste.",
  deviceNeedsId: '--device attend au moins un identifiant de poste.',
  paramSyntax: '--param attend NOM=VALEUR, avec un nom en lettres, chiffres et _, reçu «\u00a0{pair}\u00a0».',
  paramTwice: '--param {name} est donné deux fois.',
  wholeNumber: '{flag} doit être un nombre entier de {min} à {max}, reçu «\u00a0{raw}\u00a0».',
  notLanguage: '--lang doit valoir fr ou en, reçu «\u00a0{raw}\u00a0».',
  answerNotJson: "{method} {path} a répondu HTTP {status} avec autre chose que du JSON.",
  answerNotRelaisError: '{method} {path} a répondu HTTP {status} sans erreur Relais.',
  answerInvalid: '{method} {path}\u00a0: {where} {problem}.',
  theAnswer: 'la réponse',
  isInvalid: "n'est pas valide",
  answerRedirect: "{method} {path} a répondu par une redirection (HTTP {status})\u00a0; utilisez l'adresse finale du contrôleur.",
  noAnswerWithin: 'Aucune réponse complète à {method} {path} en {seconds}\u00a0s.',
  address: '{hasCause, select, yes {Adresse\u00a0: {controller} ({cause}).} other {Adresse\u00a0: {controller}.}}',
  answerTooLarge: '{what} a répondu avec plus de {size}.',
  jobStarted: '{count, plural, one {Tâche {id}\u00a0: {script} sur # poste.} other {Tâche {id}\u00a0: {script} sur # postes.}}',
  noJobs: "Aucune tâche pour l'instant.",
  jobCancelled: 'La tâche {id} est {status}\u00a0: les postes en attente sont ignorés, les exécutions en cours sont en train de s’arrêter.',
  stoppedWatching: "Suivi interrompu. La tâche {id} continue sur le contrôleur\u00a0; pour l'annuler\u00a0: relais fleet cancel {id}",
  totals: 'Tâche {id} ({script})\u00a0: {status}\u00a0; {succeeded, plural, one {# poste sur {total} a réussi} other {# postes sur {total} ont réussi}}{notOk, plural, =0 {} other {, # en échec}}{open, plural, =0 {} one {, # pas terminé} other {, # pas terminés}}.',
  progress: '[{bar}] {done}/{total} traités · {succeeded} réussis · {failed} en échec · {refused} refusés · {running} en cours',
  headDevice: 'POSTE',
  headStatus: 'ÉTAT',
  headExit: 'CODE',
  headDuration: 'DURÉE',
  headOutput: 'SORTIE',
  headJob: 'TÂCHE',
  headScript: 'SCRIPT',
  headDevices: 'POSTES',
  headSucceeded: 'RÉUSSIS',
  headNotOk: 'ÉCHECS',
  headCreated: 'CRÉÉE LE',
  milliseconds: '{value}\u00a0ms',
  seconds: '{value}\u00a0s',
  jobStatus: '{status, select, running {en cours} completed {terminée} cancelled {annulée} expired {expirée} other {{status}}}',
  runStatus: '{status, select, pending {en attente} dispatched {envoyée} running {en cours} succeeded {réussie} failed {échec} timedOut {délai dépassé} refused {refusée} cancelled {annulée} expired {expirée} error {erreur} other {{status}}}',
  needsTicketNumber: '«\u00a0tickets {sub}\u00a0» attend un numéro de ticket (1042 ou #1042).',
  notTicketNumber: "«\u00a0{raw}\u00a0» n'est pas un numéro de ticket (1042 ou #1042).",
  notLevel: '--level doit valoir L1 ou L2, reçu «\u00a0{raw}\u00a0».',
  notStatus: '--status attend des statuts séparés par des virgules ({statuses}), reçu «\u00a0{raw}\u00a0».',
  noteNeedsText: "Que dit la note\u00a0? Donnez son texte, ou - pour la lire sur l'entrée standard.",
  noteTooLong: 'Une note compte au plus {max}\u00a0caractères\u00a0; celle-ci en a {length}.',
  noteEmpty: "La note est vide\u00a0: rien n'a été ajouté.",
  unknownTicketsCommand: 'Commande tickets inconnue\u00a0: «\u00a0{sub}\u00a0».',
  whichTicketsCommand: 'Quelle commande tickets\u00a0? list, show ou note.',
  noTickets: 'Aucun ticket ne correspond.',
  ticketsShown: '{shown} sur {total, plural, one {# ticket} other {# tickets}}{more, select, yes { (davantage avec --limit)} other {}}.',
  headNumber: 'N°',
  headPriority: 'PRI',
  headLevel: 'NIVEAU',
  headAssignee: 'ATTRIBUÉ À',
  headDeadline: 'ÉCHÉANCE',
  headTitle: 'TITRE',
  nobody: 'personne',
  durationHours: '{hours}\u00a0h\u00a0{minutes}\u00a0min',
  durationMinutes: '{minutes}\u00a0min',
  durationWholeHours: '{hours}\u00a0h',
  slaLeft: 'reste {time}',
  slaOverdue: 'en retard de {time}',
  slaPaused: 'en pause',
  slaStopped: '{state, select, breached {non respecté} other {respecté}}',
  labelStatus: 'Statut',
  labelLevel: 'Niveau',
  labelRequester: 'Demandeur',
  labelDevices: 'Postes',
  labelCreated: 'Créé le',
  labelUpdated: 'Mis à jour le',
  labelDescription: 'Description',
  labelTimeline: 'Historique',
  heading: '{label}\u00a0:',
  labelEscalation: 'Escaladé parce que',
  labelWaiting: 'En attente parce que',
  followersCount: '{count, plural, one {# observateur} other {# observateurs}}',
  evCreated: '{actor} a créé le ticket.',
  evNote: "{visibility, select, person {{actor} a écrit à l'utilisateur\u00a0:} other {{actor} a ajouté une note interne\u00a0:}}",
  evPersonDescribed: "L'utilisateur a décrit le problème\u00a0:",
  evAgentJoined: "L'agent s'est connecté depuis {hostname}.",
  evShell: '{kind, select, shell_opened {{actor} a ouvert un terminal.} other {Le terminal a été fermé.}}',
  evFindings: '{count, plural, =0 {Nouveau diagnostic\u00a0: aucun constat.} one {Nouveau diagnostic\u00a0: # constat.} other {Nouveau diagnostic\u00a0: # constats.}}',
  evEdited: '{actor} a modifié le ticket.',
  evOther: '{actor}\u00a0: {kind}',
  controllerActor: 'le contrôleur',
  moreEvents: "Seuls les {count} premiers événements sont affichés\u00a0; l'interface web a la suite.",
  noteAdded: 'Note ajoutée au n°\u00a0{number}{visibility, select, person { (visible par l’utilisateur)} other { (interne)}}.',
});
