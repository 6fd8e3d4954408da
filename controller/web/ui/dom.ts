/**
 * A tiny element builder. Text is only ever set through `textContent` (strings
 * passed as children become Text nodes): agent-reported text is untrusted and
 * must never be parsed as HTML.
 */

export type Child = Node | string | number | null | undefined | false;

type Handler = (event: Event) => void;

/** Attributes: plain values become attributes, `on*` functions become listeners, `dataset` fills data-*. */
export interface Attrs {
  [name: string]: string | number | boolean | Handler | Record<string, string> | null | undefined;
}

/** Creates an element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attrs) applyAttrs(node, attrs);
  append(node, ...children);
  return node;
}

/** Appends children, turning strings and numbers into text nodes and skipping empty ones. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

function applyAttrs(node: HTMLElement, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      node.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else if (name === 'dataset' && typeof value === 'object') {
      for (const [key, data] of Object.entries(value)) node.dataset[key] = data;
    } else if (typeof value === 'object') {
      throw new TypeError(`attribute ${name} cannot be an object`); // i18n-ignore: a programming error, for developers
    } else if (value === true) {
      node.setAttribute(name, '');
    } else if (name === 'class') {
      node.className = String(value);
    } else {
      node.setAttribute(name, String(value));
    }
  }
}

/** A small inline SVG icon from a fixed, trusted path list (never from peer data). */
export function icon(name: IconName, size = 16): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  for (const d of ICONS[name]) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

const ICONS = {
  link: ['M10 14a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5', 'M14 10a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5'],
  monitor: ['M3 4h18v12H3z', 'M8 20h8', 'M12 16v4'],
  terminal: ['M4 17l6-5-6-5', 'M12 19h8'],
  list: ['M8 6h13', 'M8 12h13', 'M8 18h13', 'M3 6h.01', 'M3 12h.01', 'M3 18h.01'],
  chart: ['M3 3v18h18', 'M7 15l4-4 3 3 5-6'],
  download: ['M12 3v12', 'M7 10l5 5 5-5', 'M5 21h14'],
  copy: ['M9 9h11v11H9z', 'M5 15H4V4h11v1'],
  check: ['M5 12l5 5L20 7'],
  logout: ['M9 21H5V3h4', 'M16 17l5-5-5-5', 'M21 12H9'],
  plus: ['M12 5v14', 'M5 12h14'],
  back: ['M19 12H5', 'M12 19l-7-7 7-7'],
  refresh: ['M21 12a9 9 0 1 1-2.64-6.36', 'M21 3v6h-6'],
  power: ['M12 2v10', 'M18.36 6.64a9 9 0 1 1-12.73 0'],
  server: ['M3 4h18v6H3z', 'M3 14h18v6H3z', 'M7 7h.01', 'M7 17h.01'],
  play: ['M6 4l14 8-14 8z'],
  key: ['M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1', 'M16 7h.01'],
  inbox: ['M3 13h5l2 3h4l2-3h5', 'M5.5 5h13L21 13v6H3v-6z'],
  alert: ['M12 9v4', 'M12 17h.01', 'M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z'],
  search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M21 21l-4.35-4.35'],
  maximize: ['M8 3H3v5', 'M16 3h5v5', 'M8 21H3v-5', 'M16 21h5v-5'],
  minimize: ['M3 8h5V3', 'M21 8h-5V3', 'M3 16h5v5', 'M21 16h-5v5'],
  chevronUp: ['M6 15l6-6 6 6'],
  chevronDown: ['M6 9l6 6 6-6'],
  eye: ['M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z', 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z'],
  keyboard: ['M2 6h20v12H2z', 'M6 10h.01', 'M10 10h.01', 'M14 10h.01', 'M18 10h.01', 'M7 14h10'],
  book: ['M4 19.5A2.5 2.5 0 0 1 6.5 17H20', 'M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z'],
  thumbsUp: ['M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3', 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z'],
  thumbsDown: ['M17 2h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17', 'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3z'],
  edit: ['M12 20h9', 'M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z'],
} satisfies Record<string, string[]>;

export type IconName = keyof typeof ICONS;
