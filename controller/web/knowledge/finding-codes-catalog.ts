/** What each finding code means, in a few words: the editor's code picker and the articles' chips. ICU keys cannot hold `.` or `-`: `disk.full` is looked up as `disk_full`. */
import { defineCatalog } from '../../../protocol/index.js';

export const findingCodesCatalog = defineCatalog(
  {
    code: `{code, select,
      disk_full {Disk nearly full}
      memory_low {Low memory}
      memory_swap_heavy {Heavy swap use}
      cpu_overloaded {Processor overloaded}
      process_cpu_hog {A process holds the processor}
      network_interface_down {Network interface down}
      network_no_gateway {No default gateway}
      network_packet_loss {Packet loss}
      network_jitter {Network jitter}
      dns_no_servers {No DNS server}
      dns_resolution_failed {Names do not resolve}
      controller_unreachable {Controller unreachable}
      controller_slow {Controller slow to answer}
      clock_skew {Clock out of time}
      battery_low {Battery low}
      battery_worn {Battery worn}
      os_long_uptime {Not restarted for a long time}
      probe_error {A check failed}
      probe_timeout {A check took too long}
      printer_spooler_stopped {Print service stopped}
      printer_no_default {No default printer}
      printer_offline {Printer offline}
      printer_error {Printer in error}
      printer_paused {Printer paused}
      printer_jobs_stuck {Print jobs stuck}
      security_firewall_off {Firewall off}
      security_antivirus_missing {No antivirus}
      security_antivirus_off {Antivirus off}
      security_antivirus_outdated {Antivirus out of date}
      security_disk_not_encrypted {Disk not encrypted}
      security_remote_tool {Remote-control tool}
      security_temp_process {Program running from a temporary folder}
      updates_security_pending {Security updates pending}
      updates_pending {Updates pending}
      updates_reboot_pending {Restart pending}
      updates_stale {No update for weeks}
      mail_server_unresolved {Mail server name does not resolve}
      mail_server_unreachable {Mail server does not answer}
      other {{code}}}`,
  },
  {
    code: `{code, select,
      disk_full {Disque presque plein}
      memory_low {Mémoire insuffisante}
      memory_swap_heavy {Mémoire d’échange très utilisée}
      cpu_overloaded {Processeur surchargé}
      process_cpu_hog {Un processus monopolise le processeur}
      network_interface_down {Interface réseau coupée}
      network_no_gateway {Pas de passerelle par défaut}
      network_packet_loss {Paquets perdus}
      network_jitter {Gigue réseau}
      dns_no_servers {Aucun serveur DNS}
      dns_resolution_failed {Les noms ne se résolvent pas}
      controller_unreachable {Contrôleur injoignable}
      controller_slow {Contrôleur lent à répondre}
      clock_skew {Horloge décalée}
      battery_low {Batterie faible}
      battery_worn {Batterie usée}
      os_long_uptime {Pas redémarré depuis longtemps}
      probe_error {Un contrôle a échoué}
      probe_timeout {Un contrôle a pris trop de temps}
      printer_spooler_stopped {Service d’impression arrêté}
      printer_no_default {Pas d’imprimante par défaut}
      printer_offline {Imprimante hors ligne}
      printer_error {Imprimante en erreur}
      printer_paused {Imprimante en pause}
      printer_jobs_stuck {Travaux d’impression bloqués}
      security_firewall_off {Pare-feu désactivé}
      security_antivirus_missing {Pas d’antivirus}
      security_antivirus_off {Antivirus désactivé}
      security_antivirus_outdated {Antivirus pas à jour}
      security_disk_not_encrypted {Disque non chiffré}
      security_remote_tool {Outil de prise en main à distance}
      security_temp_process {Programme lancé depuis un dossier temporaire}
      updates_security_pending {Mises à jour de sécurité en attente}
      updates_pending {Mises à jour en attente}
      updates_reboot_pending {Redémarrage en attente}
      updates_stale {Aucune mise à jour depuis des semaines}
      mail_server_unresolved {Le nom du serveur de messagerie ne se résout pas}
      mail_server_unreachable {Le serveur de messagerie ne répond pas}
      other {{code}}}`,
  },
);
