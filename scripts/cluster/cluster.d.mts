/** Types of cluster.mjs for the TypeScript tests (test/helpers/cluster.ts). */
export declare const HAPROXY_PATH: string;
export declare function freePort(): Promise<number>;

export interface NodeSlot {
  readonly id: string;
  readonly port: number;
}

export declare function haproxyConfig(options: { port: number; statsPort: number; nodes: readonly NodeSlot[]; host?: string; maxconn?: number }): string;

export interface HaproxyServer {
  readonly name: string;
  /** UP, DOWN, MAINT, or a transition such as "UP 1/2". */
  readonly status: string;
  readonly sessions: number;
}

export interface Haproxy {
  readonly url: string;
  readonly port: number;
  readonly statsUrl: string;
  readonly config: string;
  readonly pid: number;
  logs(): string;
  servers(): Promise<HaproxyServer[]>;
  waitUntil(up: readonly string[], timeoutMs?: number): Promise<HaproxyServer[]>;
  stop(): Promise<void>;
}

export declare function startHaproxy(options: { nodes: readonly NodeSlot[]; dir: string; port?: number; statsPort?: number }): Promise<Haproxy>;

export interface ClusterNode {
  readonly id: string;
  /** The node's own address (not through the balancer). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  alive: boolean;
  /** How the process ended, whoever ended it. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  logs(): string;
  kill(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<ClusterNode>;
}

export interface Cluster {
  /** The balancer: what browsers and agents use. */
  readonly url: string;
  readonly nodes: ClusterNode[];
  readonly haproxy: Haproxy;
  readonly adminPassword: string;
  readonly redisPrefix: string;
  readonly dir: string;
  node(id: string): ClusterNode | undefined;
  stop(): Promise<void>;
}

export declare function startCluster(options: {
  root: string;
  size?: number;
  databaseUrl: string;
  redisUrl?: string;
  redisPrefix?: string;
  secret?: string;
  adminPassword?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<Cluster>;

export declare function forgetPrefix(redisUrl: string, prefix: string): Promise<void>;
