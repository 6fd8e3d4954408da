/** Rows already shown followed by a new page's, without the ones the page repeats (a live update may have shown them first). */
export function appendPage<T, K>(shown: readonly T[], page: readonly T[], keyOf: (row: T) => K): T[] {
  const known = new Set(shown.map(keyOf));
  return [...shown, ...page.filter((row) => !known.has(keyOf(row)))];
}
