/**
 * How strongly an article is suggested for one finding code it names, kept on its
 * (code, article) row so that a device's codes find their best articles by index, without
 * reading every article that names a common code: the article's share of that code (one
 * code of two: 1/2; an article about exactly that problem ranks above one that covers many)
 * times its record from earlier tickets' votes.
 */

/** Earlier tickets' votes as a factor in (0, 1): 0.5 with none, towards 1 when it helped, towards 0 when it did not (Laplace's rule). */
export function feedbackFactor(helped: number, notHelped: number): number {
  return (helped + 1) / (helped + notHelped + 2);
}

/** The score of each of an article's `codeCount` code rows. */
export function codeScore(codeCount: number, helped: number, notHelped: number): number {
  return (1 / Math.max(1, codeCount)) * (0.5 + feedbackFactor(helped, notHelped));
}
