/**
 * A cluster on this machine, for the tests (test/helpers/cluster.ts) and the bench
 * (scripts/bench/cluster-bench.mjs): N real controller processes (dist/controller/main.mjs)
 * on one PostgreSQL database and one Redis, each with its own node id, port and data
 * folder, and HAProxy in front of them configured for websockets. Everything listens on
 * 127.0.0.1 on ports the OS said were free. The HAProxy configuration written here is the
 * one the README shows ("Running a cluster").
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { onCleanup, stopChild } from '../bench/cleanup.mjs';
import { spawnController } from '../bench/controller.mjs';

export const HAPROXY_PATH = process.env.RELAIS_HAPROXY ?? '/usr/sbin/haproxy';
const HAPROXY_START_MS = 15_000;

/** A port nothing listens on right now (the OS picks it; it is free again once we close). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The HAProxy configuration: HTTP mode (so the health check and X-Forwarded-For work),
 * websockets kept open by `timeout tunnel`, a node taken out of rotation as soon as
 * GET /api/health/ready fails twice (a draining or dead node), its connections cut then
 * (agents and consoles reconnect to the others at once), and a connection that found a
 * dead node retried on another.
 */
export function haproxyConfig({ port, statsPort, nodes, host = `127.0.0.1:${port}`, maxconn = 9000 }) {
  const servers = nodes.map((node) => `  server ${node.id} 127.0.0.1:${node.port} check cookie ${node.id}`).join('\n');
  return `global
  # each connection holds two descriptors (client and node): keep 2 x maxconn under the file limit
  maxconn ${maxconn}

defaults
  mode http
  option forwardfor
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  # websockets (agents, consoles) stay open for hours; heartbeats keep them alive
  timeout tunnel 1h
  timeout http-keep-alive 10s
  # a request that reached a dead node goes to another one
  retries 3
  option redispatch 1

frontend relais
  bind 127.0.0.1:${port}
  default_backend controllers

backend controllers
  balance leastconn
  # a browser stays on the node that serves its console (a file's upload goes where the transfer was asked,
  # a reload reattaches where the shell is relayed); agents carry no cookie and are spread by leastconn
  cookie RELAIS_NODE insert indirect nocache httponly
  # the check names the public host: a controller answers only for the hosts it serves
  option httpchk
  http-check send meth GET uri /api/health/ready ver HTTP/1.1 hdr Host ${host}
  http-check expect status 200
  # a node answers its check within 3 s even on a busy machine; a dead one refuses at once
  timeout check 3s
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
${servers}

listen stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
  stats refresh 5s
`;
}

/** Starts HAProxy in the foreground (-db) with the configuration above; `stop()` kills it by its pid. */
export async function startHaproxy({ nodes, dir, port, statsPort }) {
  port ??= await freePort();
  statsPort ??= await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig({ port, statsPort, nodes }));
  const check = spawn(HAPROXY_PATH, ['-c', '-q', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let checkOutput = '';
  check.stdout.on('data', (d) => (checkOutput += d));
  check.stderr.on('data', (d) => (checkOutput += d));
  const checked = await new Promise((resolve) => check.once('exit', resolve));
  if (checked !== 0) throw new Error(`haproxy refused its configuration ${config}:\n${checkOutput}`);
  const child = spawn(HAPROXY_PATH, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-16_384)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-16_384)));
  const stopProcess = onCleanup(`haproxy (pid ${child.pid})`, () => stopChild(child, 'SIGTERM', 2000));
  const url = `http://127.0.0.1:${port}`;
  const statsUrl = `http://127.0.0.1:${statsPort}/stats`;
  const haproxy = {
    url,
    port,
    statsUrl,
    config,
    pid: child.pid,
    logs: () => output,
    /** The servers' rows of the stats page (CSV): name, status (UP, DOWN, …), current sessions. */
    async servers() {
      const response = await fetch(`${statsUrl};csv`);
      const [header, ...rows] = (await response.text()).trim().split('\n');
      const columns = header.replace(/^# /, '').split(',');
      const at = (row, name) => row.split(',')[columns.indexOf(name)];
      return rows
        .filter((row) => at(row, 'pxname') === 'controllers' && !['FRONTEND', 'BACKEND'].includes(at(row, 'svname')))
        .map((row) => ({ name: at(row, 'svname'), status: at(row, 'status'), sessions: Number(at(row, 'scur')) }));
    },
    /** Resolves once the servers named are UP (the health check passed twice) and the others DOWN (failed twice). */
    async waitUntil(up, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = [];
      for (;;) {
        if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
        try {
          last = await haproxy.servers();
          // "UP 1/2" and "DOWN 1/2" are on their way: neither counts yet.
          if (last.every((server) => (up.includes(server.name) ? server.status === 'UP' : /^(DOWN|MAINT)/.test(server.status) && !/\d\/\d/.test(server.status)))) return last;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error(`haproxy: waited ${timeoutMs} ms for ${up.join(', ')} up, have ${JSON.stringify(last)}\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: stopProcess,
  };
  // Up once its stats page answers.
  const deadline = Date.now() + HAPROXY_START_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited at start:\n${output}`);
    if (await haproxy.servers().then(() => true, () => false)) return haproxy;
    if (Date.now() > deadline) throw new Error(`haproxy did not answer within ${HAPROXY_START_MS} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a cluster: `size` nodes on `databaseUrl` and `redisUrl` under a Redis prefix of
 * their own (several clusters share one Redis), then HAProxy in front. Every node has the
 * balancer as its public address. The first node starts alone (it migrates an empty
 * database and creates the admin), the others together.
 */
export async function startCluster({ root, size = 3, databaseUrl, redisUrl = 'redis://127.0.0.1:6379', redisPrefix, secret, adminPassword, env = {}, nodeArgs = [] }) {
  const dir = mkdtempSync(join(tmpdir(), 'relais-cluster-'));
  const removeDir = onCleanup(`cluster folder ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  redisPrefix ??= `t${randomBytes(6).toString('hex')}`;
  secret ??= randomBytes(32).toString('hex');
  adminPassword ??= `cluster-${randomBytes(12).toString('hex')}`;
  const balancerPort = await freePort();
  const publicUrl = `http://127.0.0.1:${balancerPort}`;
  const slots = [];
  for (let i = 1; i <= size; i += 1) slots.push({ id: `node${i}`, port: await freePort() });

  const nodes = [];
  const startNode = async (slot) => {
    const dataDir = join(dir, slot.id);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const nodeUrl = `http://127.0.0.1:${slot.port}`;
    const controller = await spawnController({
      root,
      dataDir,
      port: slot.port,
      adminPassword,
      nodeArgs,
      env: {
        RELAIS_DATABASE_URL: databaseUrl,
        RELAIS_REDIS_URL: redisUrl,
        RELAIS_REDIS_PREFIX: redisPrefix,
        RELAIS_CLUSTER_SECRET: secret,
        RELAIS_NODE_ID: slot.id,
        RELAIS_NODE_URL: nodeUrl,
        RELAIS_PUBLIC_URL: publicUrl,
        RELAIS_TRUST_PROXY: '1',
        ...env,
      },
    });
    const node = {
      id: slot.id,
      exited: controller.exited,
      // The node's own address (not the balancer's, which the controller prints as its public URL): tests reach one node straight.
      url: nodeUrl,
      port: slot.port,
      pid: controller.pid,
      logs: controller.logs,
      alive: true,
      /** kill -9: the node dies without a word, as when its machine loses power. */
      async kill() {
        node.alive = false;
        await controller.stop('SIGKILL');
      },
      /** SIGTERM: the node drains (readiness fails, the balancer stops sending) and exits. */
      async stop() {
        node.alive = false;
        await controller.stop('SIGTERM');
      },
      /** Starts the node again on the same port and id (a rolling upgrade, or after a kill). */
      async restart() {
        const again = await startNode(slot);
        nodes[nodes.indexOf(node)] = again;
        return again;
      },
    };
    // A node that dies on its own says so, with the end of its log: nothing else would tell.
    void controller.exited.then(({ code, signal }) => {
      if (node.alive) console.error(`cluster: ${slot.id} (pid ${controller.pid}) exited by itself (${signal ?? `code ${code}`}); its log ends with:\n${controller.logs().slice(-3000)}`);
      node.alive = false;
    });
    return node;
  };
  try {
    nodes.push(await startNode(slots[0]));
    nodes.push(...(await Promise.all(slots.slice(1).map(startNode))));
  } catch (error) {
    for (const node of nodes) await node.kill();
    await removeDir();
    throw error;
  }
  let haproxy = null;
  try {
    haproxy = await startHaproxy({ nodes: slots, dir, port: balancerPort });
    await haproxy.waitUntil(slots.map((slot) => slot.id));
  } catch (error) {
    await haproxy?.stop();
    for (const node of nodes) await node.kill();
    await removeDir();
    throw error;
  }
  return {
    url: publicUrl,
    nodes,
    haproxy,
    adminPassword,
    redisPrefix,
    dir,
    /** The node with this id (a restarted node replaces its old entry). */
    node: (id) => nodes.find((n) => n.id === id),
    async stop() {
      await haproxy.stop();
      await Promise.all(nodes.map((node) => (node.alive ? node.stop() : undefined)));
      await removeDir();
      await forgetPrefix(redisUrl, redisPrefix);
    },
  };
}

/** Deletes what the cluster left in Redis under its prefix (presence, registry), so test runs do not pile up keys. */
export async function forgetPrefix(redisUrl, prefix) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `relais:${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Best effort: keys with a TTL expire anyway.
  } finally {
    redis.disconnect();
  }
}
