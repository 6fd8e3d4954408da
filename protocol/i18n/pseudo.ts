/**
 * A pseudo-locale for layout checks: every letter accented and the text made about
 * 40 % longer (as French and German run), between markers that show where a label
 * was cut. It is applied to formatted text, so placeholders are already filled in.
 */
const ACCENTED: Readonly<Record<string, string>> = {
  a: 'à', b: 'ƀ', c: 'ç', d: 'ď', e: 'é', f: 'ƒ', g: 'ĝ', h: 'ĥ', i: 'î', j: 'ĵ', k: 'ķ', l: 'ľ', m: 'ɱ', n: 'ñ', o: 'ö', p: 'þ', q: 'ʠ',
  r: 'ŕ', s: 'š', t: 'ţ', u: 'ü', v: 'ṽ', w: 'ŵ', x: 'ẋ', y: 'ý', z: 'ž', A: 'Å', B: 'Ɓ', C: 'Ç', D: 'Ď', E: 'É', F: 'Ƒ', G: 'Ĝ', H: 'Ĥ',
  I: 'Î', J: 'Ĵ', K: 'Ķ', L: 'Ľ', M: 'Ṁ', N: 'Ñ', O: 'Ö', P: 'Þ', Q: 'Ǫ', R: 'Ŕ', S: 'Š', T: 'Ţ', U: 'Ü', V: 'Ṽ', W: 'Ŵ', X: 'Ẋ', Y: 'Ý', Z: 'Ž',
};

/** "Log in" → "⟦Ľöĝ îñ ·····⟧": same words, accented, padded by 40 %. Empty text stays empty. */
export function pseudoLocalize(text: string): string {
  if (!text) return text;
  const accented = [...text].map((c) => ACCENTED[c] ?? c).join('');
  const padding = '·'.repeat(Math.max(1, Math.round(text.length * 0.4)));
  return `⟦${accented} ${padding}⟧`;
}
