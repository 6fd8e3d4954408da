/**
 * The person's terminal without output processing while the agent runs (stty
 * -opost), as ssh does for a remote session. The remote shell's pty has already
 * turned its newlines into "\r\n": a second pass through this terminal's line
 * discipline would change nothing worth seeing ("\r\r\n", or a full-screen program's
 * bare "\n" cursor moves turned into new lines), yet it is most of what mirroring
 * costs — the kernel writes each line in three pieces, each handed on separately
 * (about 5× the CPU of a plain write, measured). The agent's own text therefore
 * ends its lines with "\r\n" itself (TEXT_NEWLINE), which shows the same with or
 * without processing.
 *
 * Putting it back: setRawMode(false) restores the modes saved before this change
 * (PersonTerminal.stop), and Node restores the terminal as it found it at exit,
 * also after a crash or SIGTERM.
 */
import { spawn } from 'node:child_process';

/** How the agent ends its own lines on a terminal whose output processing it turned off. */
export const TEXT_NEWLINE = '\r\n';

/** Runs `stty -opost` on the terminal open on `fd` (stty acts on its standard input); resolves whether it worked. */
export function turnOffOutputProcessing(fd: number): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = spawn('stty', ['-opost'], { stdio: [fd, 'ignore', 'ignore'] });
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
    } catch {
      resolve(false);
    }
  });
}
