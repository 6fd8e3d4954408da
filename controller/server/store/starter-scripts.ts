/**
 * The starter fixes seeded into the script library by migration 0004: common
 * level-1 problems, each with what it does and where it works. Built-in: they
 * can be edited but not deleted. Parameters arrive as RELAIS_PARAM_<NAME>.
 */
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
    title: 'Flush the DNS cache',
    description: 'Clears cached name lookups, so a site that moved or a fixed DNS record is seen at once. Platform: Linux (systemd-resolved, nscd or dnsmasq) and macOS; needs root for most resolvers. On Windows use "ipconfig /flushdns" in a cmd script.',
    interpreter: 'sh',
    body: [
      'if command -v resolvectl >/dev/null 2>&1; then resolvectl flush-caches && echo "systemd-resolved cache flushed"',
      'elif command -v systemd-resolve >/dev/null 2>&1; then systemd-resolve --flush-caches && echo "systemd-resolved cache flushed"',
      'elif command -v dscacheutil >/dev/null 2>&1; then dscacheutil -flushcache; killall -HUP mDNSResponder 2>/dev/null; echo "macOS DNS cache flushed"',
      'elif command -v nscd >/dev/null 2>&1; then nscd -i hosts && echo "nscd hosts cache flushed"',
      'else echo "No DNS cache service found: nothing to flush."; fi',
      '',
    ].join('\n'),
    parameters: [],
    timeoutSeconds: 60,
  },
  {
    name: 'clear-temp-files',
    title: 'Clear old temporary files',
    description: 'Deletes files in the temporary folder that were not modified for a number of days (RELAIS_PARAM_DAYS, default 7), and reports the space before and after. Platform: Linux and macOS. Files in use by running programs are usually newer and kept.',
    interpreter: 'sh',
    body: [
      'days="${RELAIS_PARAM_DAYS:-7}"',
      'case "$days" in (*[!0-9]*|"") echo "DAYS must be a whole number" >&2; exit 2;; esac',
      'dir="${TMPDIR:-/tmp}"',
      'echo "Before:"; df -h "$dir" | tail -n 1',
      'find "$dir" -xdev -type f -mtime +"$days" -print -delete 2>/dev/null | wc -l | sed "s/^ */Deleted files: /"',
      'echo "After:"; df -h "$dir" | tail -n 1',
      '',
    ].join('\n'),
    parameters: [{ name: 'DAYS', description: 'Delete files not modified for this many days.', default: '7' }],
    timeoutSeconds: 300,
  },
  {
    name: 'restart-networking',
    title: 'Restart networking',
    description: 'Restarts the network service (NetworkManager, systemd-networkd or the networking service), the usual fix when a machine lost its address after a network change. Platform: Linux with systemd; needs root. The device may drop off Relais for a few seconds and reconnect by itself.',
    interpreter: 'sh',
    body: [
      'for unit in NetworkManager systemd-networkd networking; do',
      '  if systemctl is-active --quiet "$unit" 2>/dev/null; then systemctl restart "$unit" && echo "Restarted $unit"; exit $?; fi',
      'done',
      'echo "No known network service is active (NetworkManager, systemd-networkd, networking)." >&2; exit 1',
      '',
    ].join('\n'),
    parameters: [],
    timeoutSeconds: 120,
  },
  {
    name: 'disk-usage',
    title: 'Find what fills the disk',
    description: 'Shows each filesystem\'s use, then the largest folders under a path (RELAIS_PARAM_PATH, default /), one filesystem deep. Changes nothing. Platform: Linux and macOS; run as root to see every folder.',
    interpreter: 'sh',
    body: [
      'path="${RELAIS_PARAM_PATH:-/}"',
      'df -h',
      'echo',
      'echo "Largest folders under $path:"',
      'du -x -k -d 2 "$path" 2>/dev/null | sort -rn | head -n 20 | awk \'{ printf "%10.1f MiB  %s\\n", $1/1024, $2 }\'',
      '',
    ].join('\n'),
    parameters: [{ name: 'PATH', description: 'The folder to look into.', default: '/' }],
    timeoutSeconds: 600,
  },
  {
    name: 'restart-print-spooler',
    title: 'Restart the print spooler (Windows)',
    description: 'Stops the Print Spooler service, clears stuck print jobs from the spool folder, and starts it again: the fix for a printer queue that will not move. Platform: Windows only (PowerShell); needs an administrator account (the agent service runs as one).',
    interpreter: 'powershell',
    body: [
      '$ErrorActionPreference = "Stop"',
      'Stop-Service -Name Spooler -Force',
      'Remove-Item -Path "$env:SystemRoot\\System32\\spool\\PRINTERS\\*" -Force -ErrorAction SilentlyContinue',
      'Start-Service -Name Spooler',
      'Get-Service -Name Spooler | Format-Table -AutoSize Name, Status',
      '',
    ].join('\r\n'),
    parameters: [],
    timeoutSeconds: 120,
  },
  {
    name: 'test-connectivity',
    title: 'Test connectivity',
    description: 'Checks the default route, name resolution and an HTTPS request to a host (RELAIS_PARAM_HOST, default example.com), and says which step fails. Changes nothing. Platform: Linux and macOS (uses ping, getent or host, and curl when present).',
    interpreter: 'sh',
    body: [
      'host="${RELAIS_PARAM_HOST:-example.com}"',
      'status=0',
      'echo "Default route:"; (ip route show default 2>/dev/null || netstat -rn 2>/dev/null | grep -E "^(default|0\\.0\\.0\\.0)") || { echo "  none"; status=1; }',
      'echo "Resolving $host:"; (getent hosts "$host" 2>/dev/null || host "$host" 2>/dev/null) || { echo "  FAILED: name resolution"; status=1; }',
      'if command -v curl >/dev/null 2>&1; then',
      '  code=$(curl -s -o /dev/null -m 10 -w "%{http_code}" "https://$host/") && echo "HTTPS to $host: $code" || { echo "HTTPS to $host: FAILED"; status=1; }',
      'fi',
      'exit $status',
      '',
    ].join('\n'),
    parameters: [{ name: 'HOST', description: 'A host name to resolve and reach over HTTPS.', default: 'example.com' }],
    timeoutSeconds: 60,
  },
];
