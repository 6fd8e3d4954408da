/**
 * Where files go and which file may be read. A file sent here lands in the person's
 * Downloads folder under a name no other file has (`name (1).ext`), never over one.
 * A fetch names one path, and only that regular file is read: no `..`, no link (the
 * file itself or a folder on the way), no folder, device or pipe; the file is opened
 * once and checked again through the open handle, so what was checked is what is read.
 */
import { constants, existsSync, readFileSync } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FILE_LIMITS, isPlainText, numberedFileName, safeFileName, type FileErrorCode } from '../../protocol/index.js';

export interface HomeFacts {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
}

/** The person's Downloads folder: XDG's (e.g. ~/Téléchargements on a French desktop) on Linux, else ~/Downloads. */
export function downloadsFolder(host: HomeFacts, readText: (file: string) => string | null = readIfThere): string {
  const paths = pathsFor(host.platform);
  const fallback = paths.join(host.home, 'Downloads');
  if (host.platform === 'win32' || host.platform === 'darwin') return fallback;
  const config = host.env.XDG_CONFIG_HOME && paths.isAbsolute(host.env.XDG_CONFIG_HOME) ? host.env.XDG_CONFIG_HOME : paths.join(host.home, '.config');
  const dirs = readText(paths.join(config, 'user-dirs.dirs'));
  const line = dirs?.split('\n').find((l) => /^\s*XDG_DOWNLOAD_DIR\s*=/.test(l));
  const quoted = line ? /=\s*"([^"]*)"/.exec(line)?.[1] : undefined;
  if (!quoted) return fallback;
  const folder = quoted.replace(/^\$HOME(?=\/|$)/, host.home);
  // XDG: a folder set to $HOME itself is turned off; anything relative is not usable.
  if (!paths.isAbsolute(folder) || paths.resolve(folder) === paths.resolve(host.home)) return fallback;
  return paths.resolve(folder);
}

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `name`, or the first `name (n).ext` that no file in `folder` has yet. */
export function freeName(folder: string, name: string, exists: (file: string) => boolean = existsSync): string {
  if (!exists(path.join(folder, name))) return name;
  for (let n = 1; n < 10_000; n++) {
    const candidate = numberedFileName(name, n);
    if (!exists(path.join(folder, candidate))) return candidate;
  }
  return numberedFileName(name, Date.now());
}

export type FetchCheck =
  | { readonly ok: true; readonly path: string; readonly name: string; readonly size: number; readonly handle: FileHandle }
  | { readonly ok: false; readonly code: FileErrorCode; readonly detail: string };

/** Which rule refused a path: a code for the log and the audit (the catalog's words for FILE_ERR_PATH_REFUSED say them all). */
export const PATH_REFUSALS = Object.freeze({
  relative: 'relative-path',
  dotDot: 'dot-dot',
  link: 'is-a-link',
  throughLink: 'through-a-link',
  notFile: 'not-a-regular-file',
  changed: 'changed-while-checked',
  notText: 'name-not-text',
});

/**
 * Checks the path a technician asked for and opens the file for reading. `~/` means
 * the home folder. The handle is the caller's to close.
 */
export async function openForFetch(requested: string, host: HomeFacts, maxBytes: number): Promise<FetchCheck> {
  const paths = pathsFor(host.platform);
  const refuse = (detail: string): FetchCheck => ({ ok: false, code: 'FILE_ERR_PATH_REFUSED', detail });
  const expanded = requested === '~' ? host.home : /^~[/\\]/.test(requested) ? paths.join(host.home, requested.slice(2)) : requested;
  if (!paths.isAbsolute(expanded)) return refuse(PATH_REFUSALS.relative);
  if (expanded.split(host.platform === 'win32' ? /[\\/]/ : '/').includes('..')) return refuse(PATH_REFUSALS.dotDot);
  const wanted = paths.resolve(expanded);
  let before;
  try {
    before = await lstat(wanted);
  } catch (error) {
    return ioFailure(error);
  }
  if (before.isSymbolicLink()) return refuse(PATH_REFUSALS.link);
  if (!before.isFile()) return refuse(PATH_REFUSALS.notFile);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch (error) {
    return ioFailure(error);
  }
  // Case-insensitive file systems (Windows, macOS) may spell the same path another way.
  const same = host.platform === 'win32' || host.platform === 'darwin' ? real.toLowerCase() === wanted.toLowerCase() : real === wanted;
  if (!same) return refuse(PATH_REFUSALS.throughLink);
  if (!isPlainText(real) || real.length > FILE_LIMITS.maxPathChars) return refuse(PATH_REFUSALS.notText);
  if (before.size > maxBytes) return { ok: false, code: 'FILE_ERR_TOO_LARGE', detail: `${before.size} > ${maxBytes}` };
  let handle: FileHandle;
  try {
    // No following a link swapped in since the check, and never waiting on a pipe swapped in.
    handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (host.platform === 'win32' ? 0 : constants.O_NONBLOCK));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? refuse(PATH_REFUSALS.link) : ioFailure(error);
  }
  const now = await handle.stat().catch(() => null);
  if (!now || !now.isFile() || now.ino !== before.ino || now.dev !== before.dev) {
    await handle.close().catch(() => undefined);
    return refuse(PATH_REFUSALS.changed);
  }
  if (now.size > maxBytes) {
    await handle.close().catch(() => undefined);
    return { ok: false, code: 'FILE_ERR_TOO_LARGE', detail: `${now.size} > ${maxBytes}` };
  }
  return { ok: true, path: real, name: safeFileName(paths.basename(real)), size: now.size, handle };
}

/** A file system error as the catalog code the technician reads, with the system's own words. */
export function ioFailure(error: unknown): { ok: false; code: FileErrorCode; detail: string } {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, code: 'FILE_ERR_NOT_FOUND', detail: code };
  if (code === 'ENOSPC' || code === 'EDQUOT') return { ok: false, code: 'FILE_ERR_NO_SPACE', detail };
  return { ok: false, code: 'FILE_ERR_IO', detail };
}

/** The path rules of the platform the agent runs on (tests pass another). */
function pathsFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}
