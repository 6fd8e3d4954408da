/**
 * Seeds a controller's database (schema migrated by the real controller) with a knowledge
 * base: articles straight through better-sqlite3 in large transactions, in the real tables of
 * migration 0017 (the article, its first version, one row per finding code, the full-text
 * index's row with the plain words), plus tickets (tickets-seed.mjs) whose devices have a
 * latest snapshot with findings, for the suggestions.
 *
 * The words are those of a French helpdesk with some English (invented, deterministic: a
 * seeded generator): a subject of each category, what goes wrong, when, and numbered steps,
 * with error codes, update numbers, sites and programs drawn from wide lists, so that common
 * words ("imprimante", "VPN") are in thousands of articles and codes in a handful, as in a
 * real base. Finding codes follow a skewed distribution (disks, printers and updates often).
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { seedTickets } from './tickets-seed.mjs';

function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (items) => items[Math.floor(next() * items.length)];
  /** Earlier items more often (a Zipf-like skew). */
  const skewed = (items) => items[Math.min(items.length - 1, Math.floor(items.length * next() ** 1.6))];
  return { next, int, pick, skewed };
}

// ---- words (bench data only) ----
const SUBJECTS = {
  software: ['Outlook', 'Excel', 'Word', 'Teams', 'Acrobat Reader', 'Chrome', 'Firefox', 'Edge', 'SAP', 'Sage Paie', 'OneDrive', 'SharePoint', 'Zoom', 'Thunderbird', 'LibreOffice', 'le logiciel de caisse', 'le client de messagerie', 'Citrix Workspace', 'AutoCAD', 'Photoshop', 'PowerPoint', 'le navigateur', 'Java', 'le logiciel de comptabilité', 'Skype'],
  hardware: ['l’imprimante', 'l’écran', 'le clavier', 'la souris', 'la station d’accueil', 'le scanner', 'le disque dur', 'la batterie', 'la webcam', 'le casque', 'le portable', 'le téléphone IP', 'le vidéoprojecteur', 'le lecteur de badge', 'la tablette', 'the printer', 'the docking station', 'the laptop'],
  network: ['le VPN', 'le Wi-Fi', 'le partage réseau', 'le proxy', 'le DNS', 'la passerelle', 'le pare-feu', 'la prise réseau', 'le switch', 'l’intranet', 'le lecteur réseau', 'the VPN client', 'the Wi-Fi', 'the network drive'],
  system: ['Windows', 'le disque C', 'le profil utilisateur', 'le démarrage', 'les mises à jour', 'la mémoire', 'le processeur', 'l’horloge', 'le pilote graphique', 'le service d’impression', 'Windows Update', 'the system disk', 'the user profile'],
  account: ['le mot de passe', 'le compte', 'la double authentification', 'la boîte partagée', 'les droits d’accès', 'la session', 'le certificat', 'the password', 'the account'],
  security: ['l’antivirus', 'le pare-feu Windows', 'BitLocker', 'la pièce jointe suspecte', 'le courriel d’hameçonnage', 'l’outil de prise en main', 'the antivirus', 'a phishing e-mail'],
  other: ['le badge', 'la salle de réunion', 'le copieur', 'la ligne fixe', 'the meeting room'],
};
const PROBLEMS = ['ne démarre plus', 'plante au lancement', 'est très lent', 'affiche l’erreur {code}', 'ne répond plus', 'se déconnecte sans arrêt', 'refuse le mot de passe', 'n’imprime plus', 'reste bloqué à {pct} %', 'est introuvable', 'ne se synchronise plus', 'demande une licence', 'sature', 'chauffe anormalement', 'fait un écran noir', 'won’t start', 'crashes on launch', 'is very slow', 'shows error {code}', 'keeps disconnecting', 'stopped syncing', 'is full'];
const WHEN = ['après la mise à jour {kb}', 'depuis le déménagement au {floor}e étage', 'sur le site de {city}', 'uniquement le matin', 'en télétravail', 'depuis le changement de poste', 'après une coupure de courant', 'avec le nouveau profil', 'after the {kb} update', 'on the {city} site', 'since the move to {city}', 'when working from home'];
const CITIES = ['Lyon', 'Lille', 'Nantes', 'Bordeaux', 'Toulouse', 'Marseille', 'Rennes', 'Strasbourg', 'Grenoble', 'Montpellier', 'Nice', 'Dijon', 'Brest', 'Limoges', 'Tours', 'Amiens', 'Metz', 'Reims', 'Rouen', 'Caen', 'Orléans', 'Angers', 'Nîmes', 'Pau', 'Bayonne', 'Annecy', 'Poitiers', 'Besançon', 'Perpignan', 'Avignon', 'Genève', 'Bruxelles', 'Luxembourg', 'Montréal'];
const SEEN = ['La personne voit le message « {code} ».', 'Le poste met plusieurs minutes à ouvrir la session.', 'Les fichiers ne s’enregistrent plus sur le lecteur réseau.', 'L’icône réseau affiche un point d’exclamation.', 'Le ventilateur tourne en permanence.', 'Les impressions restent en file d’attente.', 'Les courriels partent dans les brouillons.', 'Le disque est presque plein.', 'Rien ne s’affiche sur le second écran.', 'The person sees "{code}".', 'Saving files fails with an access error.', 'The network icon shows a warning.', 'Print jobs stay in the queue.', 'Mail stays in the outbox.', 'The disk is nearly full.', 'Plusieurs collègues du même étage ont le même problème.', 'Le problème revient après chaque redémarrage.'];
const CAUSES = ['Le cache local est corrompu.', 'Le pilote n’est pas à jour.', 'Le certificat du serveur a expiré.', 'Les fichiers temporaires remplissent le disque.', 'Le service d’impression est arrêté.', 'Le profil itinérant est trop volumineux.', 'La mise à jour {kb} a changé un paramètre.', 'The local cache is corrupt.', 'The driver is out of date.', 'Temporary files fill the disk.', 'A group policy overrides the setting.', 'La carte réseau se met en veille pour économiser l’énergie.'];
const STEPS = ['Redémarrer le poste et rouvrir la session.', 'Vider le cache de {app}.', 'Lancer le script de nettoyage des fichiers temporaires.', 'Réinstaller le pilote depuis le portail.', 'Relancer le service d’impression.', 'Supprimer puis recréer le profil de messagerie.', 'Vérifier la place libre sur le disque C.', 'Désinstaller la mise à jour {kb}.', 'Renouveler le bail DHCP (ipconfig /renew).', 'Vider le cache DNS (ipconfig /flushdns).', 'Reconnecter le lecteur réseau.', 'Réinitialiser le mot de passe depuis l’annuaire.', 'Désactiver l’économie d’énergie de la carte réseau.', 'Mettre à jour le micrologiciel.', 'Restart the device and sign in again.', 'Clear the {app} cache.', 'Run the temporary files clean-up script.', 'Reinstall the driver from the portal.', 'Check the free space on the system disk.', 'Ask the person to try again and confirm.', 'Escalate to level 2 if the error comes back.'];
const APPS = ['Outlook', 'Teams', 'Chrome', 'Edge', 'OneDrive', 'SAP', 'Citrix', 'Firefox', 'Zoom', 'Acrobat'];
const TAGS = ['windows', 'windows-11', 'macos', 'linux', 'vpn', 'impression', 'messagerie', 'office', 'reseau', 'disque', 'lenteur', 'mot-de-passe', 'teletravail', 'mise-a-jour', 'securite', 'poste-de-travail', 'wifi', 'citrix', 'sap', 'badge'];
const CODES = ['disk.full', 'printer.jobs-stuck', 'updates.pending', 'printer.offline', 'memory.low', 'dns.resolution-failed', 'updates.reboot-pending', 'network.packet-loss', 'security.antivirus-outdated', 'cpu.overloaded', 'printer.spooler-stopped', 'network.no-gateway', 'clock.skew', 'battery.worn', 'security.firewall-off', 'mail.server-unreachable', 'process.cpu-hog', 'memory.swap-heavy', 'updates.security-pending', 'network.jitter', 'battery.low', 'printer.paused', 'dns.no-servers', 'security.remote-tool', 'os.long-uptime', 'security.disk-not-encrypted', 'network.interface-down', 'printer.no-default', 'updates.stale', 'mail.server-unresolved', 'controller.slow', 'security.antivirus-off', 'security.temp-process', 'printer.error', 'security.antivirus-missing', 'controller.unreachable', 'probe.error', 'probe.timeout'];
const CATEGORIES = [['system', 5], ['software', 6], ['hardware', 5], ['network', 4], ['account', 3], ['security', 2], ['other', 1]];
const SCRIPTS = ['clear-temp-files', 'flush-dns', 'restart-networking', 'disk-usage', 'clear-print-queue', 'restart-cups', 'test-connectivity'];

function weighted(rng, pairs) {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [value, w] of pairs) if ((r -= w) < 0) return value;
  return pairs[pairs.length - 1][0];
}

function fill(rng, text) {
  return text
    .replace('{code}', () => `0x8007${rng.int(0, 0xffff).toString(16).padStart(4, '0')}`)
    .replace('{kb}', () => `KB50${rng.int(10000, 49999)}`)
    .replace('{pct}', () => String(rng.int(1, 99)))
    .replace('{floor}', () => String(rng.int(1, 9)))
    .replace('{city}', () => rng.pick(CITIES))
    .replace('{app}', () => rng.pick(APPS));
}

const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const id = () => randomBytes(12).toString('base64url');

/** One article's fields and the plain words the index keeps. */
function article(rng) {
  const category = weighted(rng, CATEGORIES);
  const subject = rng.skewed(SUBJECTS[category]);
  const title = capital(`${subject} ${fill(rng, rng.skewed(PROBLEMS))}${rng.next() < 0.6 ? ` ${fill(rng, rng.pick(WHEN))}` : ''}`).slice(0, 200);
  const seen = Array.from({ length: rng.int(1, 3) }, () => fill(rng, rng.pick(SEEN)));
  const symptoms = [`${capital(subject)} ${fill(rng, rng.skewed(PROBLEMS))}.`, ...seen].join('\n');
  const cause = rng.next() < 0.7 ? fill(rng, rng.pick(CAUSES)) : '';
  const stepList = Array.from({ length: rng.int(2, 5) }, () => fill(rng, rng.pick(STEPS)));
  const steps = stepList.map((s, i) => `${i + 1}. ${s}`).join('\n');
  const codeCount = weighted(rng, [[0, 2], [1, 5], [2, 2], [3, 1]]);
  const codes = [...new Set(Array.from({ length: codeCount }, () => rng.skewed(CODES)))];
  const tags = [...new Set(Array.from({ length: rng.int(0, 3) }, () => rng.skewed(TAGS)))];
  const body = [symptoms.replace(/\n/g, ' '), cause, stepList.join(' ')].filter(Boolean).join(' — ');
  return { category, title, symptoms, cause, steps, codes, tags, body, scriptName: rng.next() < 0.25 ? rng.pick(SCRIPTS) : null, visibility: rng.next() < 0.15 ? 'person' : 'internal' };
}

/** Seeds `count` articles and `tickets` tickets (`withDevices` of them with a device and a snapshot with findings). */
export async function seedKnowledge({ root, dataFile, articles: count, tickets = 2000, withDevices = 500, seed = 20261217, now = Date.now(), log = () => {} }) {
  const started = performance.now();
  await seedTickets({ root, dataFile, tickets, events: tickets * 5, now, log: () => {} });
  const rng = generator(seed);
  const db = new Database(dataFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insertArticle = db.prepare(`INSERT INTO kb_articles (id, title, symptoms, cause, steps, category, tags_json, codes_json, script_name, visibility,
    created_by, created_by_name, created_at, updated_by, updated_by_name, updated_at, version, source_ticket_id, helped, not_helped)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'admin', 'Administrator', ?, 'admin', 'Administrator', ?, 1, NULL, ?, ?)`);
  const insertVersion = db.prepare(`INSERT INTO kb_versions (article_id, version, at, author, author_name, content_json) VALUES (?, 1, ?, 'admin', 'Administrator', ?)`);
  const insertCode = db.prepare('INSERT INTO kb_article_codes (code, article_id, score) VALUES (?, ?, ?)');
  const insertFts = db.prepare('INSERT INTO kb_fts (rowid, title, body, tags, facets) VALUES (?, ?, ?, ?, ?)');
  // The facets words as knowledge/article-search.ts writes them.
  const facet = (kind, value) => `x${kind}${value.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const BATCH = 5000;
  for (let done = 0; done < count; done += BATCH) {
    db.transaction(() => {
      for (let i = done; i < Math.min(count, done + BATCH); i++) {
        const a = article(rng);
        const at = now - rng.int(0, 3 * 365) * 86_400_000 - rng.int(0, 86_399_999);
        const articleId = id();
        const helped = rng.next() < 0.3 ? rng.int(1, 40) : 0;
        const notHelped = rng.next() < 0.15 ? rng.int(1, 10) : 0;
        const { lastInsertRowid } = insertArticle.run(articleId, a.title, a.symptoms, a.cause, a.steps, a.category, JSON.stringify(a.tags), JSON.stringify(a.codes), a.scriptName, a.visibility, at, at, helped, notHelped);
        const content = { title: a.title, symptoms: a.symptoms, cause: a.cause, steps: a.steps, category: a.category, tags: a.tags, findingCodes: a.codes, scriptName: a.scriptName, visibility: a.visibility };
        insertVersion.run(articleId, at, JSON.stringify(content));
        // The score as knowledge/code-score.ts writes it.
        const score = (1 / Math.max(1, a.codes.length)) * (0.5 + (helped + 1) / (helped + notHelped + 2));
        for (const code of a.codes) insertCode.run(code, articleId, score);
        insertFts.run(lastInsertRowid, a.title, a.body, a.tags.join(' '), [facet('cat', a.category), facet('vis', a.visibility), ...a.codes.map((c) => facet('code', c))].join(' '));
      }
    })();
    if ((done / BATCH) % 4 === 3) log(`  ${Math.min(count, done + BATCH)} articles`);
  }
  // Devices with a latest snapshot on the first tickets: what the suggestions read.
  const ticketIds = db.prepare('SELECT id, number FROM tickets ORDER BY number LIMIT ?').all(withDevices);
  const insertDevice = db.prepare("INSERT INTO devices (id, kind, hostname, summary_json, first_seen, last_seen) VALUES (?, 'attended', ?, NULL, ?, ?)");
  const insertSnapshot = db.prepare('INSERT INTO snapshots (device_id, taken_at, received_at, snapshot_json, findings_json, worst) VALUES (?, ?, ?, ?, ?, ?)');
  const insertTicketDevice = db.prepare('INSERT OR IGNORE INTO ticket_devices (ticket_id, device_id, position) VALUES (?, ?, 0)');
  db.transaction(() => {
    for (const t of ticketIds) {
      const deviceId = id();
      insertDevice.run(deviceId, `pc-${t.number}`, now, now);
      const codes = [...new Set(Array.from({ length: rng.int(1, 5) }, () => rng.skewed(CODES)))];
      const findings = codes.map((code) => ({ id: `${code}:x`, severity: 'warning', title: code, explanation: '', evidence: [], nextStep: '' }));
      insertSnapshot.run(deviceId, now, now, '{"takenAt":0,"durationMs":0,"probes":{}}', JSON.stringify(findings), 'warning');
      insertTicketDevice.run(t.id, deviceId);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  return { seconds: (performance.now() - started) / 1000, articles: count, tickets, withDevices, ticketNumbers: ticketIds.map((t) => t.number) };
}
