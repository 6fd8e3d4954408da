/**
 * The controller's own origins, against DNS rebinding: a page whose name now points
 * at 127.0.0.1 reaches us with its own name in Host, so only names from the
 * configuration are answered, Origins are compared with these (never with the
 * request's Host), and links shown to people are built from them alone.
 */
import { networkInterfaces } from 'node:os';

export interface OwnOriginsConfig {
  /** The bind address (`--host`). */
  readonly host: string;
  readonly publicUrl: string | null;
  /** `name` (that name on any of our ports: the listening one, or the scheme's default behind a proxy) or `name:port`. */
  readonly allowedHosts: readonly string[];
  readonly tls: boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOCAL_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** What a Host header may hold before it is parsed: a name or address and a port, nothing that could smuggle userinfo or a path. */
const HOST_SHAPE = /^[A-Za-z0-9.\-:[\]]{1,255}$/;

/** The addresses of this machine's interfaces (for a wildcard bind), IPv6 in brackets; link-local IPv6 needs a zone and is left out. */
export function interfaceAddresses(ipv6: boolean): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' || (ipv6 && i.scopeid === 0))
    .map((i) => (i.family === 'IPv4' ? i.address : `[${i.address}]`));
}

export class OwnOrigins {
  private accepted: ReadonlySet<string> | null = null;
  readonly scheme: string;

  /** `port` is read on first use, after the server listens (port 0 means "any free port" until then). */
  constructor(
    private readonly config: OwnOriginsConfig,
    private readonly port: () => number,
    private readonly interfaces: (ipv6: boolean) => string[] = interfaceAddresses,
  ) {
    this.scheme = config.tls ? 'https' : 'http';
  }

  /** True when a wildcard bind without a public URL leaves the names to the operator (worth saying at start). */
  get needsAnnouncement(): boolean {
    return WILDCARDS.has(this.config.host) && this.config.publicUrl === null;
  }

  /** Every Host value answered, in canonical form (lowercase, default port omitted). */
  hosts(): ReadonlySet<string> {
    if (this.accepted) return this.accepted;
    const port = this.port();
    const withPort = (name: string) => canonicalHost(this.scheme, `${name}:${port}`);
    const names = new Set<string>();
    const add = (value: string | null) => value && names.add(value);
    for (const name of LOCAL_NAMES) add(withPort(name));
    const bind = this.config.host.includes(':') && !this.config.host.startsWith('[') ? `[${this.config.host}]` : this.config.host;
    if (WILDCARDS.has(this.config.host)) for (const address of this.interfaces(this.config.host !== '0.0.0.0')) add(withPort(address));
    else add(withPort(bind));
    if (this.config.publicUrl) add(new URL(this.config.publicUrl).host);
    for (const entry of this.config.allowedHosts) {
      if (/:\d+$/.test(entry)) add(canonicalHost(this.scheme, entry));
      else {
        add(withPort(entry));
        add(canonicalHost(this.scheme, entry));
      }
    }
    this.accepted = names;
    return names;
  }

  /** The accepted form of a Host header, or null when the controller does not answer to that name. */
  ownHost(header: string | undefined): string | null {
    if (!header || !HOST_SHAPE.test(header)) return null;
    const host = canonicalHost(this.scheme, header);
    return host !== null && this.hosts().has(host) ? host : null;
  }

  /** True when an Origin header names this controller: the public URL, or our scheme with an accepted host. */
  isOwnOrigin(origin: string | undefined): boolean {
    if (!origin || origin === 'null') return false;
    if (this.config.publicUrl !== null && origin === this.config.publicUrl) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return url.protocol === `${this.scheme}:` && url.origin === origin && this.hosts().has(url.host);
  }

  /** The base of links shown to people: the public URL, else the own name the request was addressed to, else the bind address. */
  baseUrl(hostHeader: string | undefined): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const own = this.ownHost(hostHeader);
    return own ? `${this.scheme}://${own}` : this.primaryUrl();
  }

  /** The controller's main address: the public URL, else the bind address (127.0.0.1 for a wildcard bind). */
  primaryUrl(): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const host = WILDCARDS.has(this.config.host) ? '127.0.0.1' : this.config.host.includes(':') && !this.config.host.startsWith('[') ? `[${this.config.host}]` : this.config.host;
    return `${this.scheme}://${canonicalHost(this.scheme, `${host}:${this.port()}`) ?? host}`;
  }

  /** Says which names are answered and how to add one; printed at start when the bind is a wildcard. */
  describe(): string {
    return [
      `Host names answered (any other is refused with HTTP_ERR_UNKNOWN_HOST, against DNS rebinding): ${[...this.hosts()].join(' ')}`,
      'To answer to another name, start with --allowed-host NAME (repeatable; or RELAIS_ALLOWED_HOSTS=a,b), or set --public-url.',
    ].join('\n');
  }
}

/** `host[:port]` as a URL spells it (lowercase, IPv4 normalised, default port dropped), or null when it is not one. */
function canonicalHost(scheme: string, host: string): string | null {
  try {
    const url = new URL(`${scheme}://${host}`);
    return url.username || url.password || url.pathname !== '/' || url.search || url.hash ? null : url.host;
  } catch {
    return null;
  }
}
