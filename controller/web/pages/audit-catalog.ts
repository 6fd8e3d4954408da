/** The audit log page's words (actions stay codes: they are what the log records). */
import { defineCatalog } from '../../../protocol/index.js';

export const auditCatalog = defineCatalog(
  {
    title: 'Audit log',
    subtitle: 'Every security-relevant action, append-only. Newest first.',
    refresh: 'Refresh',
    loading: 'Loading the audit log…',
    failed: 'The audit log could not be loaded.',
    empty: 'Nothing has been recorded yet. Logins, support links, shells and ended sessions appear here.',
    when: 'When',
    who: 'Who',
    action: 'Action',
    target: 'Target',
    details: 'Details',
    system: 'system',
    limit: 'Showing the {limit} most recent entries.',
    repeated: '{from} – {to} (×{count})',
  },
  {
    title: "Journal d'audit",
    subtitle: 'Chaque action touchant à la sécurité, sans modification possible. Les plus récentes en premier.',
    refresh: 'Actualiser',
    loading: "Chargement du journal d'audit…",
    failed: "Le journal d'audit n'a pas pu être chargé.",
    empty: "Rien n'a encore été enregistré. Les connexions, liens d'assistance, terminaux et fins de session apparaîtront ici.",
    when: 'Date',
    who: 'Auteur',
    action: 'Action',
    target: 'Cible',
    details: 'Détails',
    system: 'système',
    limit: 'Affichage des {limit} entrées les plus récentes.',
    repeated: '{from} – {to} (×{count})',
  },
);
