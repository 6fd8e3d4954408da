import { agentWords } from '../cli/agent-language.js';
import { probeCatalog } from './probe-catalog.js';

const probeWords = agentWords(probeCatalog);
/** Readers of the package managers' outputs (C locale), kept apart from the probe so each is tested on recorded outputs. */

/** What the package manager says is pending; `total` null: it could not say. */
export interface Pending {
  readonly source: string | null;
  readonly total: number | null;
  readonly security: number | null;
  readonly names: string[];
  readonly detail: string | null;
}

const localTime = (y: string, mo: string, d: string, h: string, mi: string, s: string) => new Date(+y, +mo - 1, +d, +h, +mi, +s).getTime();

/** The end of the last apt run that upgraded packages (/var/log/apt/history.log), or null. */
export function parseAptHistory(log: string): number | null {
  let last: number | null = null;
  for (const block of log.split(/\n\s*\n/)) {
    if (!/^Upgrade: /m.test(block)) continue;
    const end = /^End-Date: (\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})/m.exec(block);
    if (end) last = Math.max(last ?? 0, localTime(end[1]!, end[2]!, end[3]!, end[4]!, end[5]!, end[6]!));
  }
  return last;
}

/** `apt-get -s upgrade`: one "Inst" line per package; the origin names the security archive. */
export function parseAptSimulation(stdout: string): Pending {
  const security: string[] = [];
  const other: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((.*)\)/.exec(line);
    if (!m) continue;
    (/-security|Security:/i.test(m[2]!) ? security : other).push(m[1]!);
  }
  return { source: 'apt-get -s upgrade', total: security.length + other.length, security: security.length, names: [...security, ...other], detail: null };
}

/** `dnf -q check-update`: "name.arch  version  repo" lines until "Obsoleting Packages". */
export function parseDnfCheckUpdate(stdout: string): string[] {
  const names: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/^Obsoleting Packages/.test(line)) break;
    const m = /^(\S+)\.(\w+)\s+\S+\s+\S+\s*$/.exec(line);
    if (m) names.push(m[1]!);
  }
  return [...new Set(names)];
}

/** `dnf -q updateinfo list --security`: one line per advisory and package; counts the packages. */
export function parseDnfSecurity(stdout: string): number {
  const packages = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /^\S+\s+\S*\/Sec\.\s+(\S+)/.exec(line);
    if (m) packages.add(m[1]!);
  }
  return packages.size;
}

/** `rpm -qa --last` (C locale): the newest install date, first line. */
export function parseRpmLast(stdout: string): number | null {
  const dates = stdout.split('\n').map((l) => /^\S+\s+(\w{3} \w{3}\s+\d+ [\d:]+ \d{4})/.exec(l)?.[1]).filter((d): d is string => Boolean(d)).map((d) => Date.parse(d)).filter(Number.isFinite);
  return dates.length ? Math.max(...dates) : null;
}

/** `softwareupdate --history`: "Name  Version  MM/DD/YYYY, HH:MM:SS" rows; the newest. */
export function parseMacHistory(stdout: string): number | null {
  let last: number | null = null;
  for (const m of stdout.matchAll(/(\d{2})\/(\d{2})\/(\d{4}), (\d{2}):(\d{2}):(\d{2})/g)) last = Math.max(last ?? 0, localTime(m[3]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!));
  return last;
}

/** `defaults read /Library/Preferences/com.apple.SoftwareUpdate`: the background check's result (no network, unlike `softwareupdate -l`). */
export function parseMacSoftwareUpdate(stdout: string): Pending {
  const names = [...stdout.matchAll(/"Display Name" = "?([^";]+)"?;/g)].map((m) => m[1]!.trim());
  const count = /LastRecommendedUpdatesAvailable = (\d+);/.exec(stdout)?.[1];
  const checked = /LastSuccessfulDate = "([^"]+)"/.exec(stdout)?.[1];
  return {
    source: probeWords('softwareupdateSource'),
    total: count !== undefined ? Number(count) : names.length,
    // Apple does not mark which updates are security fixes.
    security: null,
    names,
    detail: checked ? probeWords('checkedByMacOS', { date: checked }) : null,
  };
}
