/**
 * Charts drawn with uPlot (small, maintained, no dependencies; canvas, so thousands of
 * points cost nothing): a daily series (opened/resolved, breaches) and a bar chart over a
 * few labelled values (satisfaction answers). Colours come from the page's CSS variables,
 * read when drawn, so light and dark follow the theme. Each chart sizes to its box.
 */
import uPlot from 'uplot';
import { el } from '../ui/dom.js';

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
  /** A CSS variable name, e.g. `--primary`. */
  readonly colour: string;
  readonly bars?: boolean;
}

export interface Chart {
  readonly root: HTMLElement;
  dispose(): void;
}

const css = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

function axes(xValues?: (u: uPlot, splits: number[]) => string[]): uPlot.Axis[] {
  const stroke = css('--muted');
  const grid = { stroke: css('--border'), width: 1 };
  return [
    { stroke, grid, ticks: { stroke: css('--border'), width: 1 }, ...(xValues ? { values: xValues } : {}) },
    { stroke, grid, ticks: { stroke: css('--border'), width: 1 }, size: 44, values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
  ];
}

function mount(root: HTMLElement, build: (width: number) => uPlot): Chart {
  let plot: uPlot | null = null;
  const observer = new ResizeObserver(() => {
    const width = Math.max(200, Math.floor(root.clientWidth));
    if (!plot) plot = build(width);
    else if (Math.abs(plot.width - width) > 2) plot.setSize({ width, height: plot.height });
  });
  observer.observe(root);
  return {
    root,
    dispose() {
      observer.disconnect();
      plot?.destroy();
    },
  };
}

/** A series per day: `days` are `YYYY-MM-DD`, drawn at noon UTC so the date under each point is its own. */
export function dailyChart(days: readonly string[], series: readonly Series[], height = 220): Chart {
  const root = el('div', { class: 'chart', 'data-testid': 'chart' });
  const xs = days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
  return mount(root, (width) => new uPlot({
    width, height,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
    axes: axes(),
    legend: { live: false },
    cursor: { points: { size: 7 } },
    series: [
      {},
      ...series.map((s) => ({
        label: s.label, stroke: css(s.colour), width: 2, fill: s.bars ? css(s.colour) + '55' : undefined,
        points: { show: days.length <= 45, size: 5 },
        ...(s.bars ? { paths: uPlot.paths.bars!({ size: [0.7, 40] }) } : {}),
      })),
    ],
  }, [xs, ...series.map((s) => [...s.values])], root));
}

/** Bars over a few labelled values (the satisfaction answers). */
export function barChart(labels: readonly string[], values: readonly number[], seriesLabel: string, height = 220): Chart {
  const root = el('div', { class: 'chart', 'data-testid': 'chart' });
  const xs = labels.map((_l, i) => i + 1);
  return mount(root, (width) => new uPlot({
    width, height,
    scales: { x: { time: false, range: [0.4, labels.length + 0.6] }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] } },
    axes: axes((_u, splits) => splits.map((v) => (Number.isInteger(v) ? labels[v - 1] ?? '' : ''))),
    legend: { show: false },
    cursor: { show: false },
    series: [
      {},
      {
        label: seriesLabel, width: 0, stroke: css('--primary'), fill: css('--primary'),
        paths: uPlot.paths.bars!({ size: [0.6, 64] }),
        points: { show: false },
      },
    ],
  }, [xs, [...values]], root));
}
