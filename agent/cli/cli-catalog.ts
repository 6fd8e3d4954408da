/** The agent's command line: help, usage errors, and refusals of an unsafe address. */
import { defineCatalog } from '../../protocol/index.js';

export const cliCatalog = defineCatalog(
  {
    badLang: 'relais-agent: --lang must be fr or en (got {value}). / --lang doit valoir fr ou en (reçu {value}).',
    checking: 'Checking this computer…',
    policyUnusable: 'The policy file cannot be used: {problem}',
    internalError: 'relais-agent: internal error, stopping ({error}). Remote shells were closed.',
    pressEnterToClose: 'Press Enter to close this window.',
    trailerInvalid:
      'The support details attached to this program are damaged or were changed ({reason}), so it will not connect anywhere. Download it again from your support link, or start it with the link: relais-agent join <link>.',
    unknownOption: 'Unknown option {option}.',
    takesNoValue: '{option} takes no value.',
    needsValue: '{option} needs a value.',
    noCommand: 'No command given.',
    startWithJoin: 'Start with the command: relais-agent join <support-link | code>.',
    unknownCommand: 'Unknown command {command}.',
    giveLink: 'Give the support link (or the 9-digit code) your technician sent you.',
    onlyOneLink: 'Give only one support link or code.',
    tooManyControllers: 'At most {max} controller addresses.',
    badConsentTimeout: '--consent-timeout must be a whole number of seconds from 1 to {max}.',
    badFileMaxBytes: 'RELAIS_FILE_MAX_BYTES must be a whole number of bytes from 1 to 1099511627776 (1 TiB).',
    diagnoseNoArguments: 'diagnose takes no arguments besides its options.',
    badDiagnoseController: '--controller must be an http:// or https:// address.',
    summaryJoin: 'join a support session from a support link or code',
    summaryDiagnose: 'check this computer and print a report (no controller needed)',
    summaryEnroll: 'enroll this machine in the fleet (once, with a token from the administrator)',
    summaryRun: 'connect this enrolled machine and stay connected (what the service runs)',
    summaryInstallService: 'start "run" at boot (a systemd unit on Linux; instructions elsewhere)',
    usageGeneral: `Usage: relais-agent <command> [options]

Commands:
{commands}

Options:
  -h, --help       show this help (or "relais-agent <command> --help")
  -V, --version    print the version
  --lang fr|en     the language the agent speaks (default: the system's)

Examples:
  relais-agent join https://help.example.com/s/482193557
  relais-agent enroll https://help.example.com --token TOKEN --tag lab`,
    usageJoin: `Usage: relais-agent join <support-link | code> [options]

Connects this computer to your helpdesk for a support session.
Nothing runs on this computer without your yes.

  <support-link>             the link your technician gave you, e.g. https://help.example.com/s/482193557
  <code>                     or the 9-digit code alone (e.g. 482 193 557) together with --controller

Options:
  --controller URL           the controller's address, when you give the code alone
                             (default: the RELAIS_CONTROLLER environment variable);
                             repeat it or separate addresses with commas to give the
                             other nodes of a cluster, tried in turn when one does not answer
                             (after the link's own controller, when you give a link)
  --insecure                 allow an unencrypted http:// controller that is not this computer
  --consent-timeout SECONDS  how long a question waits for your answer before it counts as no
                             (default {defaultSeconds})
  --resolve NAMES            extra host names the diagnostics check, comma-separated
                             (default: the RELAIS_RESOLVE environment variable)
  --no-prompt                do not ask for a one-line description of the problem before joining
  --lang fr|en               the language the agent speaks (default: the system's)
  -h, --help                 show this help
  -V, --version              print the version`,
    usageDiagnose: `Usage: relais-agent diagnose [options]

Checks this computer and prints a report: what looks wrong first, then the facts
(system, processor, memory, disks, network, battery, heaviest processes).
It needs no controller and sends nothing anywhere. This is what a technician sees
when you join a support session.

Options:
  --json                     print the snapshot and findings as JSON
  --controller URL           also check that this controller is reachable, and the clock against it
  --resolve NAMES            host names to check name resolution for, comma-separated
  -h, --help                 show this help`,
    usageEnroll: `Usage: relais-agent enroll <controller-url> --token TOKEN [options]

Enrolls this machine in your helpdesk's fleet: creates its own key pair (the private
key never leaves this machine), registers the public key with the controller, and
writes the local policy that says what may run here without a person to ask.
Run it as the account the service will run as (root for a system service).

  <controller-url>           the controller, e.g. https://help.example.com; several addresses
                             of one cluster separated by commas are all kept, and tried in turn
  --controller URL           one more address of the same cluster, repeatable
  --token TOKEN              the enrollment token from the fleet administrator
                             (or the RELAIS_ENROLLMENT_TOKEN environment variable,
                             which keeps it out of the process list); it is never stored
  --name NAME                the device's name in the console (default: the host name)
  --tag TAG                  a tag to select the device by, repeatable: --tag lab --tag floor-2
  --policy-script RULE       scripts sent by technicians: allow, ask or deny (default ask)
  --policy-shell RULE        remote shells: allow, ask or deny (default ask)
  --policy-files RULE        files sent to or fetched from this machine: allow, ask or deny (default ask)
                             "ask" asks the person at this terminal when there is one,
                             and means no when the agent runs as a service
  --state-dir DIR            where the key, device.json and policy.json go
                             (default: RELAIS_STATE_DIR, /var/lib/relais-agent as root,
                             ~/.config/relais-agent otherwise)
  --insecure                 allow an unencrypted http:// controller that is not this computer
  -h, --help                 show this help`,
    usageRun: `Usage: relais-agent run [options]

Connects this enrolled machine to its controller and stays connected, reconnecting
after any interruption (this is what the service runs). It proves who it is with
its key, sends its description and diagnostics, and applies the local policy to
every request: allow runs it without asking, deny refuses, ask asks the person at
this terminal if there is one and refuses otherwise.

  --state-dir DIR            the enrolled state folder (default as for enroll)
  --consent-timeout SECONDS  how long a question waits for an answer when the policy says ask (default 60)
  --resolve NAMES            extra host names the diagnostics check, comma-separated
  -h, --help                 show this help`,
    usageInstallService: `Usage: relais-agent install-service [options]

Installs "relais-agent run" as a service that starts at boot. On Linux it writes a
systemd unit to /etc/systemd/system/relais-agent.service and enables it (run as root).
On macOS and Windows it prints what to do.

  --state-dir DIR            the enrolled state folder the service uses (default as for enroll)
  --unit-path PATH           write the unit there instead, and do not enable it
  -h, --help                 show this help`,
    giveControllerAddress: 'Give the controller address, e.g. relais-agent enroll https://help.example.com --token TOKEN.',
    noQueryInAddress: 'The controller address must not contain ? or #.',
    giveToken: 'Give the enrollment token with --token (or RELAIS_ENROLLMENT_TOKEN).',
    badTokenForm: 'The enrollment token is not in the right form: copy it again from the console, whole.',
    badName: '--name must be 1 to 128 characters with no control characters.',
    badTag: 'Tag {tag} is not valid: use letters, digits, . _ : or - (up to 64, starting with a letter or digit).',
    tooManyTags: 'At most 32 tags.',
    badPolicy: '--policy-{action} must be allow, ask or deny.',
    refuseEnrollInsecure:
      "Refusing to enroll with {host} without encryption (http://): the device's registration and every later connection could be read or changed on the network. Use the https:// address, or, only on a network you trust, add --insecure.",
    runNoArguments: 'run takes no arguments besides its options.',
    installNoArguments: 'install-service takes no arguments besides its options.',
    badUnitPath: '--unit-path must name a file ending in .service.',
    badControllerUrl: 'The controller address is not a valid URL (expected http://HOST[:PORT] or https://HOST).',
    badControllerScheme: 'The controller address must start with http:// or https:// (got {scheme}//).',
    controllerUserInfo: 'The controller address must not contain a user name or password.',
    badLinkUrl: 'The support link is not a valid URL (expected http://HOST[:PORT] or https://HOST).',
    badLinkScheme: 'The support link must start with http:// or https:// (got {scheme}//).',
    linkUserInfo: 'The support link must not contain a user name or password.',
    notALink: 'This is not a Relais support link: it should look like https://HOST/s/ followed by 9 digits.',
    badCode: 'The support code must be 9 digits (for example 482 193 557), or paste the whole support link.',
    codeNeedsController: 'A support code alone needs the controller address: add --controller https://HOST, or paste the whole support link.',
    refuseInsecure:
      'Refusing to connect to {host} without encryption (the link uses http://, not https://). Anyone on the network could read or change the session. Ask your technician for an https:// link, or, only if you trust this network, run the command again with --insecure.',
  },
  {
    badLang: 'relais-agent: --lang must be fr or en (got {value}). / --lang doit valoir fr ou en (reçu {value}).',
    checking: 'Vérification de ce poste…',
    policyUnusable: 'Le fichier de règle locale est inutilisable : {problem}',
    internalError: 'relais-agent : erreur interne, arrêt ({error}). Les terminaux à distance ont été fermés.',
    pressEnterToClose: 'Appuyez sur Entrée pour fermer cette fenêtre.',
    trailerInvalid:
      "Les informations d'assistance jointes à ce programme sont abîmées ou ont été modifiées ({reason}) : il ne se connectera nulle part. Téléchargez-le de nouveau depuis votre lien d'assistance, ou lancez-le avec le lien : relais-agent join <lien>.",
    unknownOption: 'Option inconnue : {option}.',
    takesNoValue: "{option} ne prend pas de valeur.",
    needsValue: '{option} attend une valeur.',
    noCommand: 'Aucune commande indiquée.',
    startWithJoin: 'Commencez par la commande : relais-agent join <lien-d-assistance | code>.',
    unknownCommand: 'Commande inconnue : {command}.',
    giveLink: "Indiquez le lien d'assistance (ou le code à 9 chiffres) que votre technicien vous a envoyé.",
    onlyOneLink: "Indiquez un seul lien ou code d'assistance.",
    tooManyControllers: '{max} adresses de contrôleur au plus.',
    badConsentTimeout: '--consent-timeout doit être un nombre entier de secondes, de 1 à {max}.',
    badFileMaxBytes: 'RELAIS_FILE_MAX_BYTES doit être un nombre entier d\u2019octets, de 1 à 1099511627776 (1\u00a0Tio).',
    diagnoseNoArguments: "diagnose ne prend pas d'argument en dehors de ses options.",
    badDiagnoseController: '--controller doit être une adresse http:// ou https://.',
    summaryJoin: "rejoindre une session d'assistance à partir d'un lien ou d'un code d'assistance",
    summaryDiagnose: 'vérifier ce poste et afficher un rapport (sans contrôleur)',
    summaryEnroll: "inscrire ce poste dans le parc (une seule fois, avec un jeton fourni par l'administrateur)",
    summaryRun: 'connecter ce poste inscrit et le garder connecté (ce que lance le service)',
    summaryInstallService: 'lancer « run » au démarrage (une unité systemd sous Linux ; instructions ailleurs)',
    usageGeneral: `Utilisation : relais-agent <commande> [options]

Commandes :
{commands}

Options :
  -h, --help       affiche cette aide (ou « relais-agent <commande> --help »)
  -V, --version    affiche la version
  --lang fr|en     la langue de l'agent (par défaut : celle du système)

Exemples :
  relais-agent join https://help.example.com/s/482193557
  relais-agent enroll https://help.example.com --token JETON --tag labo`,
    usageJoin: `Utilisation : relais-agent join <lien-d-assistance | code> [options]

Connecte ce poste à votre support informatique pour une session d'assistance.
Rien ne s'exécute sur ce poste sans votre accord.

  <lien-d-assistance>        le lien donné par votre technicien, par ex. https://help.example.com/s/482193557
  <code>                     ou le code à 9 chiffres seul (par ex. 482 193 557), avec --controller

Options :
  --controller URL           l'adresse du contrôleur, si vous indiquez le code seul
                             (par défaut : la variable d'environnement RELAIS_CONTROLLER) ;
                             répétez-la ou séparez les adresses par des virgules pour donner
                             les autres nœuds d'une grappe, essayés tour à tour si l'un ne répond pas
                             (après le contrôleur du lien, si vous donnez un lien)
  --insecure                 accepte un contrôleur http:// non chiffré qui n'est pas ce poste
  --consent-timeout SECONDES combien de temps une question attend votre réponse avant de valoir non
                             (par défaut {defaultSeconds})
  --resolve NOMS             noms d'hôte supplémentaires que le diagnostic vérifie, séparés par des virgules
                             (par défaut : la variable d'environnement RELAIS_RESOLVE)
  --lang fr|en               la langue de l'agent (par défaut : celle du système)
  -h, --help                 affiche cette aide
  -V, --version              affiche la version`,
    usageDiagnose: `Utilisation : relais-agent diagnose [options]

Vérifie ce poste et affiche un rapport : d'abord ce qui semble anormal, puis les faits
(système, processeur, mémoire, disques, réseau, batterie, processus les plus gourmands).
Aucun contrôleur n'est nécessaire et rien n'est envoyé nulle part. C'est ce que voit
le technicien quand vous rejoignez une session d'assistance.

Options :
  --json                     affiche le relevé et les constats en JSON
  --controller URL           vérifie aussi que ce contrôleur répond, et l'horloge par rapport à lui
  --resolve NOMS             noms d'hôte dont vérifier la résolution, séparés par des virgules
  -h, --help                 affiche cette aide`,
    usageEnroll: `Utilisation : relais-agent enroll <url-du-contrôleur> --token JETON [options]

Inscrit ce poste dans le parc de votre support informatique : crée sa propre paire de clés
(la clé privée ne quitte jamais ce poste), enregistre la clé publique auprès du contrôleur
et écrit la règle locale qui dit ce qui peut s'exécuter ici sans personne à qui demander.
Lancez-la sous le compte qu'utilisera le service (root pour un service système).

  <url-du-contrôleur>        le contrôleur, par ex. https://help.example.com ; plusieurs adresses
                             d'une même grappe, séparées par des virgules, sont toutes gardées et essayées tour à tour
  --controller URL           une adresse de plus de la même grappe, répétable
  --token JETON              le jeton d'inscription fourni par l'administrateur du parc
                             (ou la variable d'environnement RELAIS_ENROLLMENT_TOKEN,
                             qui le garde hors de la liste des processus) ; il n'est jamais enregistré
  --name NOM                 le nom du poste dans la console (par défaut : le nom d'hôte)
  --tag LIBELLÉ              un libellé pour sélectionner le poste, répétable : --tag labo --tag etage-2
  --policy-script RÈGLE      scripts envoyés par les techniciens : allow, ask ou deny (par défaut ask)
  --policy-shell RÈGLE       terminaux à distance : allow, ask ou deny (par défaut ask)
                             « ask » pose la question à la personne devant ce terminal s'il y en a une,
                             et vaut non quand l'agent tourne en service
  --state-dir DOSSIER        où vont la clé, device.json et policy.json
                             (par défaut : RELAIS_STATE_DIR, /var/lib/relais-agent en root,
                             ~/.config/relais-agent sinon)
  --insecure                 accepte un contrôleur http:// non chiffré qui n'est pas ce poste
  -h, --help                 affiche cette aide`,
    usageRun: `Utilisation : relais-agent run [options]

Connecte ce poste inscrit à son contrôleur et le garde connecté, en se reconnectant
après toute coupure (c'est ce que lance le service). Il prouve son identité avec
sa clé, envoie sa description et son diagnostic, et applique la règle locale à
chaque demande : allow l'exécute sans demander, deny refuse, ask pose la question à la
personne devant ce terminal s'il y en a une et refuse sinon.

  --state-dir DOSSIER        le dossier d'état du poste inscrit (par défaut comme pour enroll)
  --consent-timeout SECONDES combien de temps une question attend une réponse quand la règle dit ask (par défaut 60)
  --resolve NOMS             noms d'hôte supplémentaires que le diagnostic vérifie, séparés par des virgules
  -h, --help                 affiche cette aide`,
    usageInstallService: `Utilisation : relais-agent install-service [options]

Installe « relais-agent run » comme un service lancé au démarrage. Sous Linux, écrit une
unité systemd dans /etc/systemd/system/relais-agent.service et l'active (en root).
Sous macOS et Windows, affiche la marche à suivre.

  --state-dir DOSSIER        le dossier d'état du poste inscrit qu'utilise le service (par défaut comme pour enroll)
  --unit-path CHEMIN         écrit l'unité à cet endroit, sans l'activer
  -h, --help                 affiche cette aide`,
    giveControllerAddress: "Indiquez l'adresse du contrôleur, par ex. relais-agent enroll https://help.example.com --token JETON.",
    noQueryInAddress: "L'adresse du contrôleur ne doit contenir ni ? ni #.",
    giveToken: "Indiquez le jeton d'inscription avec --token (ou RELAIS_ENROLLMENT_TOKEN).",
    badTokenForm: "Le jeton d'inscription n'a pas la bonne forme : copiez-le de nouveau depuis la console, en entier.",
    badName: '--name doit compter de 1 à 128 caractères, sans caractère de contrôle.',
    badTag: "Le libellé {tag} n'est pas valide : utilisez des lettres, des chiffres, . _ : ou - (64 au plus, en commençant par une lettre ou un chiffre).",
    tooManyTags: '32 libellés au plus.',
    badPolicy: '--policy-{action} doit valoir allow, ask ou deny.',
    refuseEnrollInsecure:
      "Inscription refusée auprès de {host} sans chiffrement (http://) : l'enregistrement du poste et toutes ses connexions pourraient être lus ou modifiés sur le réseau. Utilisez l'adresse https://, ou, seulement sur un réseau de confiance, ajoutez --insecure.",
    runNoArguments: "run ne prend pas d'argument en dehors de ses options.",
    installNoArguments: "install-service ne prend pas d'argument en dehors de ses options.",
    badUnitPath: '--unit-path doit désigner un fichier se terminant par .service.',
    badControllerUrl: "L'adresse du contrôleur n'est pas une URL valide (attendu : http://HÔTE[:PORT] ou https://HÔTE).",
    badControllerScheme: "L'adresse du contrôleur doit commencer par http:// ou https:// (reçu : {scheme}//).",
    controllerUserInfo: "L'adresse du contrôleur ne doit contenir ni identifiant ni mot de passe.",
    badLinkUrl: "Le lien d'assistance n'est pas une URL valide (attendu : http://HÔTE[:PORT] ou https://HÔTE).",
    badLinkScheme: "Le lien d'assistance doit commencer par http:// ou https:// (reçu : {scheme}//).",
    linkUserInfo: "Le lien d'assistance ne doit contenir ni identifiant ni mot de passe.",
    notALink: "Ce n'est pas un lien d'assistance Relais : il doit ressembler à https://HÔTE/s/ suivi de 9 chiffres.",
    badCode: "Le code d'assistance compte 9 chiffres (par exemple 482 193 557) ; vous pouvez aussi coller le lien d'assistance en entier.",
    codeNeedsController: "Un code d'assistance seul a besoin de l'adresse du contrôleur : ajoutez --controller https://HÔTE, ou collez le lien d'assistance en entier.",
    refuseInsecure:
      "Connexion refusée à {host} sans chiffrement (le lien utilise http://, pas https://). N'importe qui sur le réseau pourrait lire ou modifier la session. Demandez à votre technicien un lien https://, ou, seulement si vous faites confiance à ce réseau, relancez la commande avec --insecure.",
  },
);
