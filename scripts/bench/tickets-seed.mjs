/**
 * Seeds a controller's database (its schema already migrated by the real controller) with
 * a year of helpdesk tickets, straight through better-sqlite3 in large transactions: the
 * real tables and columns of migration 0011, the sort deadline (`due_at`, `due_sort`)
 * computed by the product's own SLA code (protocol/sla-clock.ts, bundled with esbuild),
 * the `search` column and the `ticket_words` index built as the store builds them.
 *
 * Distributions (deterministic: a seeded generator):
 *   - creation over the last 12 months, mostly on weekdays in office hours;
 *   - status by age: recent tickets are often still open, old ones are closed (a few
 *     forgotten ones stay open); resolved only within the auto-close delay;
 *   - 2–8 status changes for every ticket that was taken (waits, escalations, reopenings);
 *   - impact × urgency → priority (the ITIL matrix), categories, L2 after an escalation;
 *   - ~30 accounts, a few busier than others, the administrator among them;
 *   - timeline events: the creation, every change, notes, joins, links; a handful of
 *     tickets carry thousands of events (a long incident), the rest share the remainder.
 */
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
export const NO_DEADLINE = 8_640_000_000_000_000;
const FIRST_NUMBER = 1001;
const AUTO_CLOSE_DAYS = 7;

const ENTRY = `
export { slaClocks, DEFAULT_SLA_TARGETS } from './protocol/sla-clock.ts';
export { businessCalendar } from './protocol/business-calendar.ts';
export { priorityOf } from './protocol/ticket-model.ts';
export { wordsOf, ticketSearchText } from './protocol/ticket-words.ts';
`;

/** The product's SLA code, bundled into dist/bench/tickets-sla.mjs. */
async function loadSla(root) {
  const outfile = join(root, 'dist', 'bench', 'tickets-sla.mjs');
  mkdirSync(join(root, 'dist', 'bench'), { recursive: true });
  await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'bench-tickets-entry.ts' },
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}

/** mulberry32: small, fast, seeded. */
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
  /** `weighted([[value, weight], …])` */
  const weighted = (pairs) => {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [value, w] of pairs) if ((r -= w) < 0) return value;
    return pairs[pairs.length - 1][0];
  };
  return { next, int, pick, weighted };
}

// ---- words (bench data only: invented requests of a French helpdesk) ----
const FIRST_NAMES = ['Camille', 'Léa', 'Manon', 'Chloé', 'Inès', 'Sarah', 'Julie', 'Emma', 'Lucas', 'Hugo', 'Louis', 'Thomas', 'Nathan', 'Paul', 'Julien', 'Nicolas', 'Sophie', 'Isabelle', 'Nathalie', 'Philippe', 'Pierre', 'Michel', 'Catherine', 'Sylvie', 'Martine', 'Olivier', 'Stéphane', 'Christophe', 'Valérie', 'Sandrine', 'Karim', 'Yasmine', 'Mehdi', 'Fatou', 'Mamadou', 'Anh', 'Wei', 'Jonas', 'Elena', 'Marco'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Lefèvre', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guerin', 'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clement', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Robin', 'Nguyen', 'Diallo', 'Benali', 'Kowalski', 'Haddad'];
const TITLES = {
  software: ['Outlook ne démarre plus', 'Excel se ferme à l\'ouverture du fichier de paie', 'Teams sans son en réunion', 'Mise à jour de Word bloquée', 'Le logiciel de caisse affiche une erreur', 'Acrobat ne veut pas imprimer', 'Licence Office expirée', 'Navigateur très lent', 'Installer le logiciel de comptabilité', 'Le PDF ne s\'ouvre pas'],
  hardware: ['Imprimante du 2e étage hors ligne', 'Écran noir au démarrage', 'Clavier qui ne répond plus', 'Batterie du portable gonflée', 'Souris sans fil perdue', 'Station d\'accueil ne charge plus', 'Scanner en bourrage papier', 'Disque dur bruyant', 'Remplacer le téléphone fixe', 'Projecteur de la salle B sans image'],
  network: ['VPN coupe toutes les 10 minutes', 'Pas d\'accès au partage réseau', 'Wi-Fi invité indisponible', 'Internet très lent à l\'agence de Lyon', 'Prise réseau du bureau 114 morte', 'Impossible de joindre l\'intranet', 'Le VPN refuse le certificat', 'Perte de connexion sur le poste de travail'],
  system: ['Poste de travail très lent au démarrage', 'Écran bleu après mise à jour', 'Disque C plein', 'Windows demande une réparation', 'Redémarrages en boucle', 'Heure du poste décalée', 'Profil utilisateur temporaire', 'Mises à jour en échec depuis une semaine'],
  account: ['Mot de passe expiré', 'Compte verrouillé', 'Accès au dossier RH', 'Nouvel arrivant : créer le compte', 'Départ : désactiver le compte', 'Double authentification perdue', 'Droits administrateur pour installation', 'Boîte partagée inaccessible'],
  security: ['Courriel suspect reçu', 'Antivirus désactivé', 'Clé USB inconnue branchée', 'Fenêtre de rançon à l\'écran', 'Mot de passe saisi sur un faux site', 'Alerte de l\'antivirus sur un fichier joint'],
  other: ['Question sur le télétravail', 'Déménagement de bureau', 'Demande de matériel pour stagiaire', 'Formation à la messagerie', 'Renseignement sur la charte informatique'],
};
const DETAILS = ['depuis ce matin', 'depuis la mise à jour d\'hier', 'uniquement en télétravail', 'sur deux postes du service', 'après un redémarrage', 'de façon intermittente', 'toute la journée', 'pour tout l\'étage', 'depuis lundi', 'quand le portable est sur la station'];
const NOTE_BITS = ['Appelé la personne, pas de réponse.', 'Redémarrage du service d\'impression, sans effet.', 'Pris la main sur le poste : le disque est plein à 98 %.', 'Le problème revient après chaque mise en veille.', 'Vidé le cache du navigateur, la page s\'affiche.', 'Demandé une capture d\'écran du message.', 'Pilote mis à jour vers la dernière version.', 'Le VPN tombe au renouvellement du bail DHCP.', 'Compte déverrouillé, mot de passe à changer à la prochaine connexion.', 'Commande passée pour une batterie neuve.', 'En attente du retour du fournisseur.', 'La personne confirme que tout fonctionne.'];
const WAIT_REASONS = ['En attente de la capture d\'écran', 'La personne est en congé jusqu\'à lundi', 'En attente de son accord pour redémarrer', 'À rappeler l\'après-midi'];
const ESCALATE_REASONS = ['Serveur de fichiers à vérifier, hors de portée du niveau 1', 'Droits sur le pare-feu nécessaires', 'Panne matérielle à diagnostiquer sur place', 'Problème récurrent sur plusieurs postes'];
const RESOLUTIONS = ['Pilote réinstallé, impression rétablie.', 'Cache vidé et profil recréé.', 'Disque nettoyé, 40 Go libérés.', 'Mot de passe réinitialisé avec la personne.', 'Matériel remplacé.', 'Aucun défaut trouvé, la personne n\'a plus le souci.'];
const SOLUTION_TYPES = ['workaround', 'fix', 'config_change', 'user_training', 'hardware_replaced', 'no_fault_found', 'other'];

/** An instant in office hours, mostly on a weekday, on the day `daysAgo` before `now` (Paris ≈ UTC+1/+2). */
function officeInstant(rng, now, daysAgo) {
  let day = Math.floor((now - daysAgo * DAY_MS) / DAY_MS);
  const weekday = (((day + 3) % 7) + 7) % 7; // 0 = Monday
  if (weekday >= 5 && rng.next() < 0.9) day -= weekday - 4; // most weekend requests land on Friday
  const at = day * DAY_MS + 6 * HOUR_MS + Math.floor(rng.next() * 11 * HOUR_MS) + rng.int(0, 59) * 1000;
  return Math.min(at, now - MINUTE_MS);
}

/**
 * The status path of one ticket ending in `final`: the creation, then 1–7 changes
 * (2–8 entries in all) for a ticket that was taken; `new` tickets have only the creation.
 */
function statusPath(rng, final) {
  if (final === 'new') return ['new'];
  const path = ['new', 'in_progress'];
  const budget = rng.int(2, 8);
  const detours = [];
  // Some waits and an escalation along the way, as the budget allows.
  while (path.length + detours.length * 2 + (final === 'closed' ? 2 : final === 'resolved' ? 1 : 1) < budget && rng.next() < 0.7) {
    detours.push(rng.weighted([[['waiting_user', 'in_progress'], 6], [['escalated', 'in_progress'], 2], [['resolved', 'in_progress'], 1]]));
  }
  for (const d of detours) path.push(...d);
  if (final === 'in_progress') return path;
  if (final === 'resolved' || final === 'closed') {
    path.push('resolved');
    if (final === 'closed') path.push('closed');
    return path;
  }
  path.push(final); // waiting_user, escalated
  return path;
}

export async function seedTickets({ root, dataFile, tickets: ticketCount, events = 1_000_000, accounts: accountCount = 30, heavyTickets = 10, heavyEvents = Math.min(20_000, Math.round(events * 0.02)), seed = 20261201, now = Date.now(), log = () => {} }) {
  const eventCount = events;
  const { slaClocks, businessCalendar, priorityOf, wordsOf, ticketSearchText } = await loadSla(root);
  const calendar = businessCalendar();
  const rng = generator(seed);
  const db = new Database(dataFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB while seeding

  // ---- accounts: the administrator (id 1, created by the controller) and technicians ----
  const insertUser = db.prepare('INSERT INTO users (username, name, password_hash, role, created_at, deleted_at, language) VALUES (?, ?, ?, ?, ?, NULL, NULL)');
  const accountIds = [db.prepare("SELECT id FROM users WHERE username = 'admin'").get().id];
  db.transaction(() => {
    for (let i = 1; i < accountCount; i++) {
      const name = `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[(i * 7) % LAST_NAMES.length]}`;
      // Not a valid hash: these accounts never log in, they only hold tickets.
      // Roles as migration 0019 names them: mostly level 1, every fourth level 2.
      accountIds.push(Number(insertUser.run(`tech${String(i).padStart(2, '0')}`, name, 'bench:no-login', i % 4 === 0 ? 'l2' : 'l1', now - 400 * DAY_MS).lastInsertRowid));
    }
  })();
  // Busier accounts first (a few technicians take most calls), the administrator a fair share.
  const accountWeights = accountIds.map((id, i) => [id, i === 0 ? 4 : 10 / (1 + i * 0.3)]);

  const insertTicket = db.prepare(`INSERT INTO tickets (id, number, title, description, requester_name, requester_phone, requester_email, category, impact, urgency, priority, status,
    waiting_reason, escalation_reason, level, assignee_id, resolution, solution_type, version, created_at, updated_at, resolved_at, closed_at, due_at, due_sort, support_code_id, created_by, search)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`);
  const insertHistory = db.prepare('INSERT INTO ticket_status_history (ticket_id, at, status) VALUES (?, ?, ?)');
  const insertWord = db.prepare('INSERT INTO ticket_words (word, ticket_id) VALUES (?, ?)');
  const insertEvent = db.prepare('INSERT INTO ticket_events (ticket_id, at, kind, actor, visibility, data_json) VALUES (?, ?, ?, ?, ?, ?)');
  const insertFollower = db.prepare('INSERT INTO ticket_followers (ticket_id, user_id, position) VALUES (?, ?, ?)');
  const insertDevice = db.prepare('INSERT INTO ticket_devices (ticket_id, device_id, position) VALUES (?, ?, ?)');
  const usernameOf = new Map(db.prepare('SELECT id, username FROM users').all().map((u) => [u.id, u.username]));

  // Which tickets are the long incidents (thousands of events), spread over the numbers.
  const heavy = new Set();
  for (let i = 0; heavy.size < Math.min(heavyTickets, ticketCount); i++) heavy.add(FIRST_NUMBER + Math.floor(((i + 0.5) * ticketCount) / heavyTickets) % ticketCount);
  const heavyTotal = heavy.size * heavyEvents;
  // The other tickets share the rest: their own change events, then notes up to the average.
  let eventsLeft = eventCount;
  const counts = { tickets: 0, events: 0, history: 0, followers: 0, devices: 0, byStatus: {}, byPriority: {}, byCategory: {}, byLevel: {} };
  const bump = (map, key) => (map[key] = (map[key] ?? 0) + 1);

  const started = performance.now();
  const BATCH = 5000;
  for (let first = 0; first < ticketCount; first += BATCH) {
    db.transaction(() => {
      for (let i = first; i < Math.min(ticketCount, first + BATCH); i++) {
        const number = FIRST_NUMBER + i;
        // Numbers follow creation time: ticket i is created (ticketCount - i) / ticketCount of a year ago, give or take.
        const daysAgo = Math.max(0, ((ticketCount - i) / ticketCount) * 365 + (rng.next() - 0.5));
        const createdAt = officeInstant(rng, now, daysAgo);
        const age = (now - createdAt) / DAY_MS;
        const openChance = age < 2 ? 0.75 : age < 7 ? 0.4 : age < 30 ? 0.08 : age < 90 ? 0.02 : 0.004;
        let final;
        if (rng.next() < openChance) final = rng.weighted([['new', 22], ['in_progress', 40], ['waiting_user', 22], ['escalated', 16]]);
        else final = age < AUTO_CLOSE_DAYS + 1 && rng.next() < 0.7 ? 'resolved' : 'closed';
        const path = statusPath(rng, final);
        // Times: spread the changes from the creation to the last change, never after now.
        const span = final === 'closed'
          ? Math.min(now - createdAt, (AUTO_CLOSE_DAYS + rng.next() * 5) * DAY_MS)
          : Math.min(now - createdAt, rng.next() * Math.min(age, 20) * DAY_MS);
        const times = [createdAt];
        for (let k = 1; k < path.length; k++) {
          const left = path.length - k;
          const prev = times[k - 1];
          const end = createdAt + span;
          times.push(Math.min(end, prev + Math.max(MINUTE_MS, Math.floor(((end - prev) / left) * (0.3 + rng.next() * 0.7)))));
        }
        if (final === 'closed' && path.length >= 2) times[times.length - 1] = Math.min(now - MINUTE_MS, Math.max(times[times.length - 2] + MINUTE_MS, times[times.length - 2] + AUTO_CLOSE_DAYS * DAY_MS));
        for (let k = 1; k < times.length; k++) if (times[k] <= times[k - 1]) times[k] = times[k - 1] + 1000;
        const history = path.map((status, k) => ({ at: times[k], status }));
        const updatedAt = times[times.length - 1];

        const category = rng.weighted([['software', 30], ['hardware', 15], ['network', 12], ['system', 10], ['account', 20], ['security', 5], ['other', 8]]);
        const impact = rng.weighted([['high', 8], ['medium', 32], ['low', 60]]);
        const urgency = rng.weighted([['high', 15], ['medium', 45], ['low', 40]]);
        const priority = priorityOf(impact, urgency);
        const everEscalated = path.includes('escalated');
        const level = everEscalated ? 'L2' : 'L1';
        const assigneeId = final === 'new' ? null : rng.weighted(accountWeights);
        const first_ = rng.pick(FIRST_NAMES);
        const last = rng.pick(LAST_NAMES);
        const requesterName = `${first_} ${last}`;
        const email = rng.next() < 0.8 ? `${first_}.${last}@exemple.fr`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '') : null;
        const phone = rng.next() < 0.6 ? `01 ${rng.int(10, 99)} ${rng.int(10, 99)} ${rng.int(10, 99)} ${rng.int(10, 99)}` : null;
        const title = `${rng.pick(TITLES[category])}${rng.next() < 0.4 ? ` (${rng.pick(['Lyon', 'Nantes', 'Paris', 'Lille', 'Bordeaux', 'siège'])})` : ''}`;
        const description = `${title}, ${rng.pick(DETAILS)}. ${rng.pick(NOTE_BITS)} ${rng.next() < 0.5 ? rng.pick(DETAILS) + '.' : ''}`.repeat(rng.int(1, 3)).trim();
        const resolvedAt = final === 'resolved' || final === 'closed' ? history.findLast((h) => h.status === 'resolved').at : null;
        const closedAt = final === 'closed' ? updatedAt : null;
        const resolution = resolvedAt !== null ? rng.pick(RESOLUTIONS) : null;
        const solutionType = resolvedAt !== null ? rng.pick(SOLUTION_TYPES) : null;
        // The sort deadline exactly as the store computes it (TicketStore.rowOf: clocks at the last change).
        const clocks = slaClocks(calendar, history, priority, updatedAt + 1);
        const running = (r) => (!r.paused && !r.stopped ? r.deadline : null);
        const deadlines = [running(clocks.own), running(clocks.resolve)].filter((d) => d !== null);
        const due = deadlines.length === 0 ? null : Math.round(Math.min(...deadlines));
        const id = randomBytes(12).toString('base64url');
        const search = [`#${number}`, title, requesterName, email ?? '', phone ?? '', description.slice(0, 1000)].join(' ').toLowerCase();
        insertTicket.run(id, number, title, description, requesterName, phone, email, category, impact, urgency, priority, final,
          final === 'waiting_user' ? rng.pick(WAIT_REASONS) : null, everEscalated ? rng.pick(ESCALATE_REASONS) : null, level, assigneeId,
          resolution, solutionType, path.length + (assigneeId !== null ? 1 : 0), createdAt, updatedAt, resolvedAt, closedAt, due, due === null ? NO_DEADLINE : due,
          assigneeId === null ? 'admin' : usernameOf.get(assigneeId), search);
        for (const h of history) insertHistory.run(id, h.at, h.status);
        // The search's word index, as the store writes it (protocol/ticket-words.ts).
        for (const word of wordsOf(ticketSearchText({ number, title, requester: { name: requesterName, email, phone }, description }))) insertWord.run(word, id);
        counts.history += history.length;
        if (assigneeId !== null) {
          insertFollower.run(id, assigneeId, 0);
          counts.followers++;
        }
        const deviceCount = rng.weighted([[0, 4], [1, 5], [2, 1]]);
        for (let d = 0; d < deviceCount; d++) insertDevice.run(id, `dev-${rng.int(1, 5000)}-${d}`, d);
        counts.devices += deviceCount;

        // ---- the timeline ----
        const actor = assigneeId === null ? 'admin' : usernameOf.get(assigneeId);
        const ownEvents = [[createdAt, 'created', 'admin', { version: 1 }]];
        for (let k = 1; k < history.length; k++) {
          const from = history[k - 1].status;
          const to = history[k].status;
          const kind = to === 'in_progress' ? (from === 'new' ? 'take' : from === 'waiting_user' ? 'user_replied' : from === 'resolved' ? 'reopen' : 'start')
            : to === 'waiting_user' ? 'wait_for_user' : to === 'escalated' ? 'escalate' : to === 'resolved' ? 'resolve' : 'auto_close';
          const data = { version: k + 1, from, to };
          if (kind === 'wait_for_user') data.reason = rng.pick(WAIT_REASONS);
          if (kind === 'escalate') data.reason = rng.pick(ESCALATE_REASONS);
          if (kind === 'resolve') data.resolution = { text: resolution ?? rng.pick(RESOLUTIONS), solutionType: solutionType ?? 'other' };
          if (kind === 'auto_close') data.afterDays = AUTO_CLOSE_DAYS;
          if (kind === 'take') data.assigneeId = String(assigneeId);
          ownEvents.push([history[k].at, kind, kind === 'auto_close' || kind === 'user_replied' ? null : actor, data]);
        }
        const remainingTickets = ticketCount - i;
        let extra;
        if (heavy.has(number)) extra = heavyEvents - ownEvents.length;
        else {
          const budget = eventsLeft - (heavyTotal - [...heavy].filter((n) => n < number).length * heavyEvents);
          const lightLeft = remainingTickets - [...heavy].filter((n) => n > number).length;
          const average = Math.max(0, budget / lightLeft - ownEvents.length);
          extra = lightLeft <= 1 ? Math.max(0, budget - ownEvents.length) : Math.max(0, Math.round(average * (0.2 + rng.next() * 1.6)));
        }
        extra = Math.max(0, Math.min(extra, eventsLeft - ownEvents.length));
        const until = Math.max(updatedAt, createdAt + MINUTE_MS);
        const extraEvents = [];
        for (let e = 0; e < extra; e++) {
          const at = createdAt + Math.floor(rng.next() * (until - createdAt));
          const kind = rng.weighted([['note', 70], ['agent_joined', 8], ['link_created', 6], ['edited', 6], ['findings', 10]]);
          const data = kind === 'note' ? { markdown: `${rng.pick(NOTE_BITS)} ${rng.next() < 0.4 ? rng.pick(NOTE_BITS) : ''}`.trim() }
            : kind === 'agent_joined' ? { supportLinkId: randomBytes(9).toString('base64url'), sessionId: randomBytes(9).toString('base64url'), deviceId: `dev-${rng.int(1, 5000)}`, hostname: `PC-${rng.int(1000, 9999)}` }
            : kind === 'link_created' ? { supportLinkId: randomBytes(9).toString('base64url') }
            : kind === 'edited' ? { version: 1, fields: ['urgency', 'priority'], before: { urgency: 'low', priority: 'P4' } }
            : { worst: rng.pick(['ok', 'warning', 'error']), findings: [{ code: rng.pick(['disk.nearly_full', 'printer.offline', 'network.dns_slow', 'updates.pending']), severity: 'warning' }] };
          extraEvents.push([at, kind, kind === 'agent_joined' || kind === 'findings' ? null : actor, data, rng.next() < 0.15 ? 'person' : 'internal']);
        }
        const all = [...ownEvents.map(([at, kind, who, data]) => [at, kind, who, data, 'internal']), ...extraEvents].sort((a, b) => a[0] - b[0]);
        for (const [at, kind, who, data, visibility] of all) insertEvent.run(id, at, kind, who, visibility, JSON.stringify(data));
        eventsLeft -= all.length;
        counts.events += all.length;
        counts.tickets++;
        bump(counts.byStatus, final);
        bump(counts.byPriority, priority);
        bump(counts.byCategory, category);
        bump(counts.byLevel, level);
      }
    })();
    if ((first / BATCH) % 4 === 3) log(`  seeded ${Math.min(ticketCount, first + BATCH)} tickets, ${counts.events} events (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { ...counts, seconds: (performance.now() - started) / 1000, accounts: accountIds.length, heavyNumbers: [...heavy].sort((a, b) => a - b), heavyEvents };
}
