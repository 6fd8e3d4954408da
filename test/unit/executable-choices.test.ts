/** Choices made at run time for the executable's people: the Windows shell, and the download a support page offers first. */
import { describe, expect, it } from 'vitest';
import { chooseShell, windowsShell } from '../../agent/shell/shell.js';
import { personPlatform } from '../../controller/server/http/person-platform.js';
import { agentCacheRoot } from '../../agent/executable/cache-folder.js';

describe('the shell on Windows', () => {
  const system = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
  it('is Windows PowerShell where Windows keeps it', () => {
    expect(windowsShell({ SystemRoot: 'C:\\Windows', ComSpec: 'C:\\Windows\\system32\\cmd.exe' }, (p) => p === system)).toBe(system);
    expect(chooseShell({ SYSTEMROOT: 'C:\\Windows' }, 'win32', (p) => p === system)).toBe(system);
  });
  it('is a PowerShell on the PATH otherwise', () => {
    const pwsh = 'C:\\Program Files\\PowerShell\\7\\pwsh.exe';
    expect(windowsShell({ SystemRoot: 'C:\\Windows', Path: 'C:\\Program Files\\PowerShell\\7;relative\\dir' }, (p) => p === pwsh)).toBe(pwsh);
  });
  it('is the command interpreter where there is no PowerShell (Wine, a stripped-down Windows)', () => {
    expect(windowsShell({ SystemRoot: 'C:\\windows', ComSpec: 'C:\\windows\\system32\\cmd.exe', PATH: 'C:\\windows\\system32' }, () => false)).toBe('C:\\windows\\system32\\cmd.exe');
    expect(windowsShell({}, () => false)).toBe('cmd.exe');
  });
});

describe('the download a support page offers first', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36', '', 'win-x64'],
    ['Mozilla/5.0 (Windows NT 10.0; ARM64) Edge', '', 'win-x64'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Safari/605.1.15', '', 'darwin-arm64'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', '', 'linux-x64'],
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', '"Linux"', 'linux-x64'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0 Mobile', '"Android"', null],
    ['Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Safari', '', null],
    ['curl/8.0', '', null],
  ])('%s → %s', (ua, hint, expected) => {
    expect(personPlatform(ua, hint)).toBe(expected);
  });
});

describe('the executable\'s private cache folder', () => {
  it('is the platform\'s per-account cache, or RELAIS_AGENT_CACHE', () => {
    expect(agentCacheRoot('linux', {}, '/home/sam')).toBe('/home/sam/.cache/relais-agent');
    expect(agentCacheRoot('linux', { XDG_CACHE_HOME: '/var/cache/sam' }, '/home/sam')).toBe('/var/cache/sam/relais-agent');
    expect(agentCacheRoot('darwin', {}, '/Users/sam')).toBe('/Users/sam/Library/Caches/Relais/agent');
    expect(agentCacheRoot('win32', { LOCALAPPDATA: 'C:\\Users\\sam\\AppData\\Local' }, 'C:\\Users\\sam')).toBe('C:\\Users\\sam\\AppData\\Local\\Relais\\agent-cache');
    expect(agentCacheRoot('linux', { RELAIS_AGENT_CACHE: '/tmp/x' }, '/home/sam')).toBe('/tmp/x');
  });
});
