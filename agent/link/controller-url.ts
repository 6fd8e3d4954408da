/**
 * Turning what the person pasted (a support link, or a code plus a controller
 * address) into the code and the websocket address to dial. Pure functions: no
 * I/O, no environment. Error texts never repeat the code, which is a secret.
 */
import { isLoopbackHost } from '../../protocol/index.js';
import { cliWords } from '../cli/cli-parsing.js';
import { MAX_CONTROLLER_URLS } from './controller-rotation.js';

/** Where to connect and with which support code. */
export interface SupportTarget {
  readonly code: string;
  /** The controller's base address as the person knows it (http or https), without the code. */
  readonly controllerUrl: string;
  /** `ws(s)://HOST[:PORT][/prefix]/ws/agent`. */
  readonly wsUrl: string;
  /** The same helpdesk's other addresses (other nodes of a cluster), tried in this order after wsUrl. */
  readonly otherWsUrls: readonly string[];
}

export type TargetResult = { ok: true; target: SupportTarget } | { ok: false; message: string };

const LINK_PATH = /^(.*)\/s\/([0-9][0-9 -]*[0-9])\/?$/;

/** A code typed alone: 9 digits, spaces or dashes allowed between groups ("482 193 557"). */
export function parseSupportCode(input: string): string | null {
  const digits = input.trim().replace(/[ -]/g, '');
  return /^\d{9}$/.test(digits) ? digits : null;
}

/** True for a support link (`http(s)://HOST[:PORT]/s/CODE`) rather than a bare code. */
export function looksLikeLink(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim());
}

/** Parses a controller base address (`http(s)://` or `ws(s)://`), refusing anything else. */
export function parseControllerUrl(input: string, what: 'controller' | 'link' = 'controller'): { ok: true; url: URL } | { ok: false; message: string } {
  const link = what === 'link';
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: cliWords(link ? 'badLinkUrl' : 'badControllerUrl') };
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    return { ok: false, message: cliWords(link ? 'badLinkScheme' : 'badControllerScheme', { scheme: url.protocol }) };
  }
  if (url.username || url.password) {
    return { ok: false, message: cliWords(link ? 'linkUserInfo' : 'controllerUserInfo') };
  }
  return { ok: true, url };
}

/** The websocket endpoint for agents under a controller base address. */
export function agentSocketUrl(base: URL): string {
  const secure = base.protocol === 'https:' || base.protocol === 'wss:';
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${secure ? 'wss' : 'ws'}://${base.host}${prefix}/ws/agent`;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function httpBase(base: URL): string {
  const secure = base.protocol === 'https:' || base.protocol === 'wss:';
  return `${secure ? 'https' : 'http'}://${base.host}${base.pathname.replace(/\/+$/, '')}`;
}

/**
 * Every controller address given: repeated options and comma-separated lists alike,
 * in order, each parsed, the same address once. At most MAX_CONTROLLER_URLS.
 */
export function parseControllerList(values: readonly string[]): { ok: true; urls: readonly URL[] } | { ok: false; message: string } {
  const urls: URL[] = [];
  for (const value of values.flatMap((v) => v.split(','))) {
    if (value.trim() === '') continue;
    const parsed = parseControllerUrl(value);
    if (!parsed.ok) return parsed;
    if (parsed.url.search || parsed.url.hash) return { ok: false, message: cliWords('noQueryInAddress') };
    if (!urls.some((url) => agentSocketUrl(url) === agentSocketUrl(parsed.url))) urls.push(parsed.url);
  }
  if (urls.length > MAX_CONTROLLER_URLS) return { ok: false, message: cliWords('tooManyControllers', { max: String(MAX_CONTROLLER_URLS) }) };
  return { ok: true, urls };
}

/** The controller base address (http or https, path prefix kept) as stored and shown. */
export function controllerBase(url: URL): string {
  return httpBase(url);
}

/**
 * Resolves a support link, or a code plus controller addresses, into a target. With a
 * link, the link's controller comes first and the addresses given are its alternates;
 * with a code, the first address given is the one shown.
 */
export function resolveTarget(linkOrCode: string, controllers: readonly string[]): TargetResult {
  const list = parseControllerList(controllers);
  if (!list.ok) return list;
  if (looksLikeLink(linkOrCode)) {
    const parsed = parseControllerUrl(linkOrCode, 'link');
    if (!parsed.ok) return parsed;
    const match = LINK_PATH.exec(safeDecode(parsed.url.pathname));
    const code = match?.[2] !== undefined ? parseSupportCode(match[2]) : null;
    if (!match || code === null) {
      return { ok: false, message: cliWords('notALink') };
    }
    const base = new URL(parsed.url.href);
    base.pathname = match[1] ?? '';
    base.search = '';
    base.hash = '';
    return { ok: true, target: withAlternates({ code, controllerUrl: httpBase(base), wsUrl: agentSocketUrl(base) }, list.urls) };
  }
  const code = parseSupportCode(linkOrCode);
  if (code === null) {
    return { ok: false, message: cliWords('badCode') };
  }
  const [first, ...others] = list.urls;
  if (first === undefined) return { ok: false, message: cliWords('codeNeedsController') };
  return { ok: true, target: withAlternates({ code, controllerUrl: httpBase(first), wsUrl: agentSocketUrl(first) }, others) };
}

function withAlternates(target: Omit<SupportTarget, 'otherWsUrls'>, others: readonly URL[]): SupportTarget {
  const otherWsUrls = others.map(agentSocketUrl).filter((url) => url !== target.wsUrl);
  return { ...target, otherWsUrls: Object.freeze(otherWsUrls) };
}


/**
 * The transport rule: unencrypted websockets only to this machine unless the person
 * explicitly said --insecure. Returns the refusal text, or null when allowed.
 */
export function transportRefusal(wsUrl: string, insecure: boolean): string | null {
  const url = new URL(wsUrl);
  if (url.protocol === 'wss:' || insecure || isLoopbackHost(url.hostname)) return null;
  return cliWords('refuseInsecure', { host: url.host });
}

