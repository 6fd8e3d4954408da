// node-pty for one platform, as one SEA asset: its JavaScript (lib/) and the native
// files that platform loads — the Windows and macOS prebuilds its npm tarball ships, and
// on Linux the pty.node built at install (N-API, so Node 22 loads what Node 20 built).
// The agent writes it out to a private cache folder and checks every file's SHA-256
// before loading it (agent/executable/pty-assets.ts reads this format).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PTY_PACK_MAGIC = 'RELAIS-PTY-PACK-1\n';

const LIB_FILES = [
  'index.js', 'utils.js', 'terminal.js', 'eventEmitter2.js', 'interfaces.js', 'types.js',
  'unixTerminal.js', 'windowsTerminal.js', 'windowsPtyAgent.js', 'windowsConoutConnection.js',
  'conpty_console_list_agent.js', 'shared/conout.js', 'worker/conoutSocketWorker.js',
];

/** Native files per prebuild folder; debug symbols (.pdb, 25 MB on Windows) stay out. */
const NATIVE_FILES = {
  'win32-x64': ['pty.node', 'conpty.node', 'conpty_console_list.node', 'winpty.dll', 'winpty-agent.exe', 'conpty/conpty.dll', 'conpty/OpenConsole.exe'],
  'darwin-x64': ['pty.node', 'spawn-helper'],
  'darwin-arm64': ['pty.node', 'spawn-helper'],
};

/**
 * The pack: magic, one line of JSON manifest ({version, files: [{path, size, sha256, mode}]}),
 * then the files' bytes in manifest order. Returns null when node-pty is not installed.
 */
export function ptyPack(root, prebuilds) {
  const ptyRoot = join(root, 'node_modules', 'node-pty');
  if (!existsSync(join(ptyRoot, 'package.json'))) return null;
  const version = JSON.parse(readFileSync(join(ptyRoot, 'package.json'), 'utf8')).version;
  const sources = LIB_FILES.map((file) => ({ path: `lib/${file}`, from: join(ptyRoot, 'lib', file) }));
  if (prebuilds === null) sources.push({ path: 'build/Release/pty.node', from: join(ptyRoot, 'build', 'Release', 'pty.node') });
  else for (const file of NATIVE_FILES[prebuilds]) sources.push({ path: `prebuilds/${prebuilds}/${file}`, from: join(ptyRoot, 'prebuilds', prebuilds, file) });
  const files = [];
  const bodies = [];
  for (const source of sources) {
    const bytes = readFileSync(source.from);
    const executable = (statSync(source.from).mode & 0o111) !== 0 || /\.(exe|dll|node)$|spawn-helper$/.test(source.path);
    files.push({ path: source.path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), mode: executable ? 0o755 : 0o644 });
    bodies.push(bytes);
  }
  const manifest = Buffer.from(`${JSON.stringify({ version, files })}\n`);
  return Buffer.concat([Buffer.from(PTY_PACK_MAGIC), manifest, ...bodies]);
}
