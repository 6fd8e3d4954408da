/**
 * Issue 13 on the controller: built-in scripts and stored findings are served in the
 * technician's language, without changing what is stored (English) or what was edited.
 */
import { describe, expect, it } from 'vitest';
import { runHealthChecks, type Script, type Snapshot } from '../../protocol/index.js';
import { DiagnosticsStore, type StoredSnapshot } from '../../controller/server/diagnostics/diagnostics.js';
import { PRINTING_STARTER_SCRIPTS } from '../../controller/server/store/printing-scripts.js';
import { scriptInLanguage, starterWords } from '../../controller/server/store/script-words.js';
import { STARTER_SCRIPTS } from '../../controller/server/store/starter-scripts.js';

const ALL = [...STARTER_SCRIPTS, ...PRINTING_STARTER_SCRIPTS];

function asStored(s: (typeof ALL)[number], edits: Partial<Script> = {}): Script {
  return {
    id: `id-${s.name}`, name: s.name, title: s.title, description: s.description, interpreter: s.interpreter, body: s.body,
    parameters: s.parameters.map((p) => ({ ...p })), timeoutSeconds: s.timeoutSeconds, builtIn: true, createdAt: 1, updatedAt: 1, ...edits,
  } as Script;
}

describe('built-in scripts in French', () => {
  it('every starter script has French words for its title, description and parameters', () => {
    for (const s of ALL) {
      const fr = scriptInLanguage(asStored(s), 'fr');
      expect(fr.title, s.name).not.toBe(s.title);
      expect(fr.title).toBe(starterWords(s.name, 'fr').title);
      expect(fr.description, s.name).not.toBe(s.description);
      fr.parameters.forEach((p, i) => expect(p.description, `${s.name} ${p.name}`).not.toBe(s.parameters[i]!.description));
      expect(fr.body).toBe(s.body);
      expect(fr.name).toBe(s.name);
      expect(scriptInLanguage(asStored(s), 'en')).toEqual(asStored(s));
    }
  });

  it('an edited text, or a script of the helpdesk’s own, is shown as written', () => {
    const flush = STARTER_SCRIPTS.find((s) => s.name === 'flush-dns')!;
    const edited = scriptInLanguage(asStored(flush, { title: 'Vider le DNS (version maison)' }), 'fr');
    expect(edited.title).toBe('Vider le DNS (version maison)');
    expect(edited.description).toBe(starterWords('flush-dns', 'fr').description);
    const own = asStored(flush, { builtIn: false });
    expect(scriptInLanguage(own, 'fr')).toEqual(own);
    const unknown = asStored(flush, { name: 'my-own-fix' });
    expect(scriptInLanguage(unknown, 'fr')).toEqual(unknown);
  });
});

describe('stored findings served in French', () => {
  const snapshot: Snapshot = {
    takenAt: 1_700_000_000_000, durationMs: 1, probes: {},
    storage: { disks: [], filesystems: [{ fs: '/dev/sda1', type: 'ext4', mount: '/', sizeBytes: 100 * 1024 ** 3, usedBytes: 96 * 1024 ** 3, availableBytes: 2 * 1024 ** 3, usePercent: 98 }] },
    clock: { skewMs: 15 * 60_000, source: 'controller' },
  };
  const store = new DiagnosticsStore({} as never, {}, {} as never);
  const stored: StoredSnapshot = { id: 1, deviceId: 'd', takenAt: snapshot.takenAt, snapshot, findings: runHealthChecks(snapshot) };

  it('keeps ids, severities and the set recorded; takes the words of the reader’s language', () => {
    const fr = store.inLanguage(stored, 'fr');
    expect(fr.findings.map((f) => [f.id, f.severity])).toEqual(stored.findings.map((f) => [f.id, f.severity]));
    expect(fr.findings.map((f) => f.title)).toEqual(["L'horloge retarde de 15 minutes", 'Le disque / est plein à 98\u00a0%']);
    expect(store.inLanguage(stored, 'en')).toBe(stored);
  });

  it('a finding the checks no longer produce (thresholds changed since) stays as recorded', () => {
    const extra = { ...stored, findings: [...stored.findings, { id: 'old.check', severity: 'info' as const, title: 'Old', explanation: 'Recorded before.', evidence: [], nextStep: 'Nothing.' }] };
    expect(store.inLanguage(extra, 'fr').findings.at(-1)!.title).toBe('Old');
  });
});
