/** A PostgreSQL URL carries a password: every message that names the database shows it through here. */

/** The URL with its password (and any `password=` parameter) replaced by `***`; unparseable text is hidden whole. */
export function redactDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  return parsed.toString();
}
