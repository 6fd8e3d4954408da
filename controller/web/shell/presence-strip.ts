/**
 * Who is on a device, drawn from `device.presence`: for each live shell, the
 * technician who has the keyboard and those watching (an avatar with initials, the
 * name never cut, the role beside it), and a Watch button for a shell this
 * technician is not on. Names are text only.
 */
import type { Person, ShellPresence } from '../../../protocol/index.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { wordsOf } from '../app/language.js';
import { sharingCatalog } from './sharing-catalog.js';

const t = wordsOf(sharingCatalog);

/** Two letters for a name ("Sam Lee" → "SL"), from its first two words. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = (words.length > 1 ? [words[0]!, words[words.length - 1]!] : words).map((w) => [...w][0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** A hue from the username, so each technician keeps one colour everywhere. */
function hueOf(username: string): number {
  let hash = 0;
  for (const ch of username) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return hash % 360;
}

function avatar(p: Person): HTMLElement {
  const node = el('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name));
  node.style.setProperty('--avatar-hue', String(hueOf(p.username)));
  return node;
}

function personChip(p: Person, role: 'driver' | 'observer' | 'away', me: string): HTMLElement {
  const label = role === 'driver' ? t('hasKeyboard') : role === 'away' ? t('pageAway') : t('watchingRole');
  return el('li', { class: `presence-person presence-${role}`, 'data-testid': 'presence-person', 'data-username': p.username, 'data-role': role === 'away' ? 'driver' : role },
    avatar(p),
    el('span', { class: 'presence-text' },
      el('span', { class: 'presence-name', title: p.name }, p.name, p.username === me ? el('span', { class: 'presence-you' }, ` (${t('you')})`) : null),
      el('span', { class: 'presence-role' }, role === 'driver' ? icon('keyboard', 13) : role === 'observer' ? icon('eye', 13) : null, label)));
}

/** Renders the strip; hidden when no shell is live. `onWatch` is called with a shell's channel. */
export function renderPresence(target: HTMLElement, shells: readonly ShellPresence[], me: string, onWatch: ((channel: number) => void) | null): void {
  target.hidden = shells.length === 0;
  if (shells.length === 0) return replaceChildren(target);
  const groups = shells.map((shell) => {
    const on = shell.holder.username === me || shell.observers.some((o) => o.username === me);
    return el('div', { class: 'presence-shell', 'data-channel': String(shell.channel) },
      shells.length > 1 ? el('span', { class: 'presence-shell-label muted small' }, t('shellNumber', { channel: shell.channel })) : null,
      el('ul', { class: 'presence-people' },
        personChip(shell.holder, shell.holderHere ? 'driver' : 'away', me),
        ...shell.observers.map((o) => personChip(o, 'observer', me))),
      !on && onWatch
        ? el('button', {
          class: 'btn btn-secondary btn-small', type: 'button', 'data-testid': 'watch-shell', 'data-channel': String(shell.channel),
          title: t('watchTitle', { holder: shell.holder.name }), onclick: () => onWatch(shell.channel),
        }, icon('eye', 15), t('watch'))
        : null);
  });
  replaceChildren(target, el('span', { class: 'presence-title' }, t('onDevice')), ...groups);
}
