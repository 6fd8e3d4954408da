/**
 * node-pty written out of the executable's asset: to a private folder named by the
 * pack's hash, every file checked by SHA-256 before loading, damaged files written
 * again, folders others may write refused. The pack is the build's own (pty-pack.mjs).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PTY_ASSET, loadPtyFrom, preparePtyFolder, readPack } from '../../agent/executable/pty-assets.js';
import { repoRoot } from '../helpers/paths.js';
// @ts-expect-error: a build script in plain JavaScript, without types
import { ptyPack } from '../../scripts/agents/pty-pack.mjs';

const pack = (ptyPack as (root: string, prebuilds: string | null) => Buffer)(repoRoot, null);
const assets = (bytes: Uint8Array) => ({ getAsset: (key: string) => {
  if (key !== PTY_ASSET) throw new Error('no such asset');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
} });
const roots: string[] = [];
const freshRoot = () => {
  const root = join(mkdtempSync(join(tmpdir(), 'relais-pty-cache-')), 'cache');
  roots.push(root);
  return root;
};
afterAll(() => roots.forEach((root) => rmSync(join(root, '..'), { recursive: true, force: true })));

describe('node-pty from the executable', () => {
  it('is written to a private folder named by the pack, checked, and loads', () => {
    const root = freshRoot();
    const dir = preparePtyFolder(assets(pack), root);
    expect(dir).toMatch(/[\\/]pty-[0-9a-f]{16}$/);
    const pty = loadPtyFrom(dir) as { spawn?: unknown };
    expect(typeof pty.spawn).toBe('function');
    expect(preparePtyFolder(assets(pack), root)).toBe(dir);
  });

  it('writes a damaged or missing file again', () => {
    const root = freshRoot();
    const dir = preparePtyFolder(assets(pack), root);
    writeFileSync(join(dir, 'lib', 'index.js'), 'throw new Error("swapped")');
    rmSync(join(dir, 'build', 'Release', 'pty.node'));
    preparePtyFolder(assets(pack), root);
    expect(readFileSync(join(dir, 'lib', 'index.js'), 'utf8')).not.toMatch(/swapped/);
    expect(existsSync(join(dir, 'build', 'Release', 'pty.node'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('refuses a cache folder others may write, and a link in place of the folder', () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    chmodSync(root, 0o777);
    expect(() => preparePtyFolder(assets(pack), root)).toThrow(/may be changed by other accounts/);
    const linked = freshRoot();
    mkdirSync(join(linked, '..', 'elsewhere'), { recursive: true });
    symlinkSync(join(linked, '..', 'elsewhere'), linked);
    expect(() => preparePtyFolder(assets(pack), linked)).toThrow(/may be changed by other accounts/);
  });

  it('refuses a pack whose files do not match their hashes, or whose paths leave the folder', () => {
    const damaged = Buffer.from(pack);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 0xff;
    expect(() => preparePtyFolder(assets(damaged), freshRoot())).toThrow(/is damaged/);
    const { manifest } = readPack(pack);
    const text = pack.toString('latin1');
    const escaping = Buffer.from(text.replace(JSON.stringify(manifest.files[0]!.path), JSON.stringify('../../escape.js')), 'latin1');
    expect(() => readPack(escaping)).toThrow();
  });

  it('says so when the executable has no pty asset', () => {
    expect(() => preparePtyFolder({ getAsset: () => { throw new Error('no such asset'); } }, freshRoot())).toThrow(/no such asset/);
  });
});
