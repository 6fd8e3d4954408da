// Runs before `npm test`: the browser tests drive Debian's Chromium at /usr/bin/chromium.
// When it is missing and we may install it (root with apt-get), install it; otherwise say how.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log('relais: browser tests need Chromium; installing it from Debian packages (apt-get install chromium)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.error(`relais: the browser tests need Chromium at ${CHROMIUM}.\n  Debian/Ubuntu: sudo apt-get install -y chromium\nThe browser tests will fail without it.`);
  }
}
