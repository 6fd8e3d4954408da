/** The small building blocks of the device page's fact cards: a titled card, label/value rows and usage bars. */
import { formats, wordsOf } from '../app/language.js';
import { el, type Child } from './dom.js';
import { uiCatalog } from './ui-catalog.js';

const t = wordsOf(uiCatalog);

export type BarLevel = 'ok' | 'warn' | 'bad';

/** A card with an uppercase title. */
export function card(title: string, ...body: Child[]): HTMLElement {
  return el('section', { class: 'card fact-card' }, el('h3', { class: 'fact-title' }, title), ...body);
}

/** A muted line under a fact. */
export function detail(text: string): HTMLElement {
  return el('p', { class: 'muted small' }, text);
}

/** Label/value rows; a null value is left out (the fact was not reported). */
export function facts(...rows: [label: string, value: Child][]): HTMLElement {
  return el('dl', { class: 'facts' }, ...rows
    .filter(([, value]) => value !== null && value !== undefined && value !== false && value !== '')
    .map(([label, value]) => el('div', { class: 'facts-row' }, el('dt', null, label), el('dd', null, value))));
}

/** The bar's colour from its share alone, for facts no finding speaks about: warns from 80 %, alarms from 90 %. */
export function levelOf(used: number): BarLevel {
  return used >= 90 ? 'bad' : used >= 80 ? 'warn' : 'ok';
}

/** A thin bar of `used` percent; `level` picks the colour, `caption` replaces the percentage label. */
export function usageBar(used: number, level: BarLevel = levelOf(used), caption = formats.percent(Math.round(used))): HTMLElement {
  const share = Math.min(100, Math.max(0, used));
  const fill = el('span', { class: `bar-fill bar-${level}` });
  fill.style.width = `${share.toFixed(1)}%`;
  return el('div', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(share), 'aria-label': t('percentUsed', { percent: formats.percent(Math.round(share)) }), 'data-level': level },
    el('span', { class: 'bar-track' }, fill), el('span', { class: 'bar-label' }, caption));
}
