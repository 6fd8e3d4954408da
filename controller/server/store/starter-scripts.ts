/**
 * The starter fixes seeded into the script library by migration 0004: common
 * level-1 problems, each with what it does and where it works. Built-in: they
 * can be edited but not deleted. Parameters arrive as RELAIS_PARAM_<NAME>.
 * Their words live in scripts-catalog.ts (English seeded, French served by
 * script-words.ts); their bodies are code, run as written.
 */
import { starterWords } from './script-words.js';

export interface StarterScript {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly interpreter: 'sh' | 'bash' | 'powershell' | 'cmd';
  readonly body: string;
  readonly parameters: ReadonlyArray<{ name: string; description: string; default?: string }>;
  readonly timeoutSeconds: number;
}

export const STARTER_SCRIPTS: readonly StarterScript[] = [
  {
    name: 'flush-dns',
    title: starterWords('flush-dns').title,
    description: starterWords('flush-dns').description,
    interpreter: 'sh',
    body: [
      'if command -v resolvectl >/dev/null 2>&1; then resolvectl flush-caches && echo "systemd-resolved cache flushed"', // i18n-ignore: shell code, run as is
      'elif command -v systemd-resolve >/dev/null 2>&1; then systemd-resolve --flush-caches && echo "systemd-resolved cache flushed"', // i18n-ignore: shell code, run as is
      'elif command -v dscacheutil >/dev/null 2>&1; then dscacheutil -flushcache; killall -HUP mDNSResponder 2>/dev/null; echo "macOS DNS cache flushed"', // i18n-ignore: shell code, run as is
      'elif command -v nscd >/dev/null 2>&1; then nscd -i hosts && echo "nscd hosts cache flushed"', // i18n-ignore: shell code, run as is
      'else echo "No DNS cache service found: nothing to flush."; fi', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [],
    timeoutSeconds: 60,
  },
  {
    name: 'clear-temp-files',
    title: starterWords('clear-temp-files').title,
    description: starterWords('clear-temp-files').description,
    interpreter: 'sh',
    body: [
      'days="${RELAIS_PARAM_DAYS:-7}"', // i18n-ignore: shell code, run as is
      'case "$days" in (*[!0-9]*|"") echo "DAYS must be a whole number" >&2; exit 2;; esac', // i18n-ignore: shell code, run as is
      'dir="${TMPDIR:-/tmp}"', // i18n-ignore: shell code, run as is
      'echo "Before:"; df -h "$dir" | tail -n 1', // i18n-ignore: shell code, run as is
      'find "$dir" -xdev -type f -mtime +"$days" -print -delete 2>/dev/null | wc -l | sed "s/^ */Deleted files: /"', // i18n-ignore: shell code, run as is
      'echo "After:"; df -h "$dir" | tail -n 1', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [{ name: 'DAYS', description: starterWords('clear-temp-files').parameter('DAYS'), default: '7' }],
    timeoutSeconds: 300,
  },
  {
    name: 'restart-networking',
    title: starterWords('restart-networking').title,
    description: starterWords('restart-networking').description,
    interpreter: 'sh',
    body: [
      'for unit in NetworkManager systemd-networkd networking; do', // i18n-ignore: shell code, run as is
      '  if systemctl is-active --quiet "$unit" 2>/dev/null; then systemctl restart "$unit" && echo "Restarted $unit"; exit $?; fi', // i18n-ignore: shell code, run as is
      'done', // i18n-ignore: shell code, run as is
      'echo "No known network service is active (NetworkManager, systemd-networkd, networking)." >&2; exit 1', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [],
    timeoutSeconds: 120,
  },
  {
    name: 'disk-usage',
    title: starterWords('disk-usage').title,
    description: starterWords('disk-usage').description,
    interpreter: 'sh',
    body: [
      'path="${RELAIS_PARAM_PATH:-/}"', // i18n-ignore: shell code, run as is
      'df -h', // i18n-ignore: shell code, run as is
      'echo', // i18n-ignore: shell code, run as is
      'echo "Largest folders under $path:"', // i18n-ignore: shell code, run as is
      'du -x -k -d 2 "$path" 2>/dev/null | sort -rn | head -n 20 | awk \'{ printf "%10.1f MiB  %s\\n", $1/1024, $2 }\'', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [{ name: 'PATH', description: starterWords('disk-usage').parameter('PATH'), default: '/' }],
    timeoutSeconds: 600,
  },
  {
    name: 'restart-print-spooler',
    title: starterWords('restart-print-spooler').title,
    description: starterWords('restart-print-spooler').description,
    interpreter: 'powershell',
    body: [
      '$ErrorActionPreference = "Stop"', // i18n-ignore: shell code, run as is
      'Stop-Service -Name Spooler -Force', // i18n-ignore: shell code, run as is
      'Remove-Item -Path "$env:SystemRoot\\System32\\spool\\PRINTERS\\*" -Force -ErrorAction SilentlyContinue', // i18n-ignore: shell code, run as is
      'Start-Service -Name Spooler', // i18n-ignore: shell code, run as is
      'Get-Service -Name Spooler | Format-Table -AutoSize Name, Status', // i18n-ignore: shell code, run as is
      '',
    ].join('\r\n'),
    parameters: [],
    timeoutSeconds: 120,
  },
  {
    name: 'test-connectivity',
    title: starterWords('test-connectivity').title,
    description: starterWords('test-connectivity').description,
    interpreter: 'sh',
    body: [
      'host="${RELAIS_PARAM_HOST:-example.com}"', // i18n-ignore: shell code, run as is
      'status=0', // i18n-ignore: shell code, run as is
      'echo "Default route:"; (ip route show default 2>/dev/null || netstat -rn 2>/dev/null | grep -E "^(default|0\\.0\\.0\\.0)") || { echo "  none"; status=1; }', // i18n-ignore: shell code, run as is
      'echo "Resolving $host:"; (getent hosts "$host" 2>/dev/null || host "$host" 2>/dev/null) || { echo "  FAILED: name resolution"; status=1; }', // i18n-ignore: shell code, run as is
      'if command -v curl >/dev/null 2>&1; then', // i18n-ignore: shell code, run as is
      '  code=$(curl -s -o /dev/null -m 10 -w "%{http_code}" "https://$host/") && echo "HTTPS to $host: $code" || { echo "HTTPS to $host: FAILED"; status=1; }', // i18n-ignore: shell code, run as is
      'fi', // i18n-ignore: shell code, run as is
      'exit $status', // i18n-ignore: shell code, run as is
      '',
    ].join('\n'),
    parameters: [{ name: 'HOST', description: starterWords('test-connectivity').parameter('HOST'), default: 'example.com' }],
    timeoutSeconds: 60,
  },
];
