/** Coloured pills for states: device connectivity, link status. */
import { el } from './dom.js';

export type BadgeTone = 'good' | 'neutral' | 'warn' | 'bad' | 'info';

/** A small pill with a dot; `tone` picks the colour. */
export function badge(label: string, tone: BadgeTone, testId?: string): HTMLSpanElement {
  return el('span', { class: `badge badge-${tone}`, 'data-testid': testId }, el('span', { class: 'badge-dot', 'aria-hidden': 'true' }), label);
}
