/**
 * The person's system, guessed from their browser (User-Agent, and Sec-CH-UA-Platform
 * where the browser sends it), to offer the one download that fits first. A guess only:
 * every other download stays on the page.
 */
import type { AgentPlatform } from '../../../protocol/executable/index.js';

export function personPlatform(userAgent: string, clientHintPlatform = ''): AgentPlatform | null {
  const hint = clientHintPlatform.replace(/"/g, '').toLowerCase();
  if (hint === 'windows' || /Windows NT/.test(userAgent)) return 'win-x64'; // Windows on ARM runs x64 programs too.
  // Phones and tablets first: iPadOS and Android name Mac OS and Linux in their User-Agent.
  if (/Android|iPhone|iPad|iPod|Mobile/.test(userAgent) || hint === 'android' || hint === 'ios') return null;
  // Browsers report an Intel Mac even on Apple silicon, which sells most today: Apple silicon first, Intel beside it.
  if (hint === 'macos' || /Macintosh|Mac OS X/.test(userAgent)) return 'darwin-arm64';
  if (hint === 'linux' || /Linux x86_64|X11; Linux/.test(userAgent)) return 'linux-x64';
  return null;
}
