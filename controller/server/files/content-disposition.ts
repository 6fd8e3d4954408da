/**
 * `Content-Disposition: attachment` for a file name from a device (RFC 6266): an
 * ASCII fallback in `filename` (quotes and backslashes cannot break out of it) and
 * the name itself, percent-encoded UTF-8, in `filename*`. The name is already one
 * safe file name (safeFileName); this only makes it a header.
 */
export function attachmentHeader(name: string): string {
  const fallback = name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\%]/g, '_').trim() || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
