/** What the person is told when the technicians on a shell change: who started or stopped watching, who has the keyboard now. */
import type { Person } from '../../protocol/index.js';
import { plainLine } from '../../protocol/text.js';
import { agentWords } from '../cli/agent-language.js';
import { sharingCatalog } from './sharing-catalog.js';

const words = agentWords(sharingCatalog);

export interface Viewers {
  readonly holder: Person;
  readonly observers: readonly Person[];
}

const named = (p: Person): string => `${plainLine(p.name, 128)} (${plainLine(p.username, 64)})`;

/** The lines to print for the change from `before` to `after`, keyboard first. */
export function viewerChanges(before: Viewers, after: Viewers): string[] {
  const lines: string[] = [];
  const holderChanged = before.holder.username !== after.holder.username;
  if (holderChanged) lines.push(words('keyboardTo', { who: named(after.holder) }));
  const was = new Set(before.observers.map((p) => p.username));
  const now = new Set(after.observers.map((p) => p.username));
  for (const p of after.observers) if (!was.has(p.username)) lines.push(words('nowWatching', { who: named(p) }));
  for (const p of before.observers) {
    // The observer who took the keyboard did not leave: the line above says where they are.
    if (!now.has(p.username) && !(holderChanged && p.username === after.holder.username)) lines.push(words('stoppedWatching', { who: named(p) }));
  }
  return lines;
}
