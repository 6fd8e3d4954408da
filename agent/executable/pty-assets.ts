/**
 * node-pty inside the single executable: the build packs its JavaScript and the
 * platform's native files into one asset (scripts/agents/pty-pack.mjs); at start the
 * agent writes them to a private cache folder named by the pack's hash, checks every
 * file's SHA-256 against the pack's manifest, and only then loads it. A folder that is
 * not ours, or a file that does not match, is written again; when nothing works the
 * shell runs over pipes and both sides are told why (shell.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ExecutableAssets } from './sea.js';
import { agentWords } from '../cli/agent-language.js';
import { executableCatalog } from './executable-catalog.js';

const words = agentWords(executableCatalog);

export const PTY_ASSET = 'pty.pack';
const PACK_MAGIC = 'RELAIS-PTY-PACK-1\n';

const manifestSchema = z.strictObject({
  version: z.string().max(40),
  files: z
    .array(
      z.strictObject({
        // Relative, forward slashes, no "..": a path stays inside the folder.
        path: z.string().regex(/^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_./-]{0,200}$/),
        size: z.number().int().min(0).max(64 * 1024 * 1024),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        mode: z.number().int().min(0).max(0o777),
      }),
    )
    .min(1)
    .max(64),
});

export type PtyFiles = z.infer<typeof manifestSchema>;

/** Splits a pack into its manifest and each file's bytes. */
export function readPack(pack: Uint8Array): { manifest: PtyFiles; bodies: Uint8Array[] } {
  const magic = Buffer.from(PACK_MAGIC);
  if (!Buffer.from(pack.buffer, pack.byteOffset, magic.length).equals(magic)) throw new Error(words('notAPack'));
  const newline = pack.indexOf(0x0a, magic.length);
  if (newline < 0 || newline > 64 * 1024) throw new Error(words('notAPack'));
  const manifest = manifestSchema.parse(JSON.parse(Buffer.from(pack.subarray(magic.length, newline)).toString('utf8')));
  const bodies: Uint8Array[] = [];
  let offset = newline + 1;
  for (const file of manifest.files) {
    if (offset + file.size > pack.length) throw new Error(words('packTruncated'));
    bodies.push(pack.subarray(offset, offset + file.size));
    offset += file.size;
  }
  return { manifest, bodies };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** True when every file of the manifest is in `dir` with its SHA-256. */
function intact(dir: string, manifest: PtyFiles): boolean {
  try {
    return manifest.files.every((file) => sha256(readFileSync(join(dir, file.path))) === file.sha256);
  } catch {
    return false;
  }
}

/** A folder we may trust: a real folder (not a link), ours, not writable by others (Unix). */
function privateFolder(path: string): boolean {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return false;
  if (process.platform === 'win32') return true; // Under %LOCALAPPDATA%, which only the account may write.
  return stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}

/** Writes the pack's files into a fresh folder beside `dir`, then puts it in place. */
function writeOut(dir: string, manifest: PtyFiles, bodies: Uint8Array[]): void {
  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  manifest.files.forEach((file, i) => {
    const path = join(staging, file.path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, bodies[i] as Uint8Array, { mode: file.mode });
    chmodSync(path, file.mode);
  });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

/**
 * The folder holding node-pty's files for this executable, written and checked:
 * `<cacheRoot>/pty-<hash of the pack>`. Throws with the reason when it cannot be made.
 */
export function preparePtyFolder(assets: ExecutableAssets, cacheRoot: string): string {
  const pack = new Uint8Array(assets.getAsset(PTY_ASSET));
  const { manifest, bodies } = readPack(pack);
  manifest.files.forEach((file, i) => {
    if (sha256(bodies[i] as Uint8Array) !== file.sha256) throw new Error(words('fileMismatch', { file: file.path }));
  });
  mkdirSync(cacheRoot, { recursive: true, mode: 0o700 });
  if (!privateFolder(cacheRoot)) throw new Error(words('notPrivate', { folder: cacheRoot }));
  const dir = join(cacheRoot, `pty-${sha256(pack).slice(0, 16)}`);
  if (!(existsSync(dir) && privateFolder(dir) && intact(dir, manifest))) writeOut(dir, manifest, bodies);
  // Checked again after writing: what is loaded is what the executable carries.
  if (!privateFolder(dir) || !intact(dir, manifest)) throw new Error(words('writtenMismatch', { folder: dir }));
  return dir;
}

/** Loads node-pty from a prepared folder (a require rooted there: the executable's own require knows only built-ins). */
export function loadPtyFrom(dir: string): unknown {
  return createRequire(join(dir, 'lib', 'index.js'))('./index.js');
}
