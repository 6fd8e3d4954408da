/**
 * Text from devices and the controller is untrusted: an escape sequence in a
 * script's output must not move the technician's cursor, change the title or
 * hide a line. Everything printed from an answer goes through here.
 */

// C0 and C1 controls and DEL; tab becomes a space so columns stay aligned.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** One line of untrusted text, safe for a terminal and at most `max` characters. */
export function plainLine(value: string, max = 200): string {
  const clean = value.replace(/\t/g, ' ').replace(CONTROLS, '');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The first non-empty line of output (base64), made safe. */
export function firstLine(base64: string, max = 60): string {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return plainLine(line.trim(), max);
}
