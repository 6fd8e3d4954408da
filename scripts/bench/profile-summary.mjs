/**
 * Where a process spent its time, from a `--cpu-prof` profile: self time per
 * function (and its file), the top entries, and the share that was idle, GC or
 * native. For the notes in scripts/bench/README.md.
 * Usage: node scripts/bench/profile-summary.mjs FILE.cpuprofile [--top=20]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/bench/profile-summary.mjs FILE.cpuprofile [--top=20]');
  process.exit(2);
}
const top = Number(/^--top=(\d+)$/.exec(rest[0] ?? '')?.[1] ?? 20);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
// Sample i lasted timeDeltas[i + 1] (the delta to the next sample).
for (let i = 0; i < profile.samples.length; i += 1) {
  const node = byId.get(profile.samples[i]);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = self.get('(idle)') ?? 0;
console.log(`${basename(file)}: ${(total / 1e6).toFixed(2)} s sampled, ${(((total - idle) / 1e6)).toFixed(2)} s busy`);
for (const [key, micros] of [...self.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((micros / (total - idle)) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
