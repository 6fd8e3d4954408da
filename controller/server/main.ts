/** The controller's composition root: read the config once, build the parts, wire them, listen. */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLOSE_CODES, type Language } from '../../protocol/index.js';
import { auditCutoff, pruneAudit } from './audit/audit-retention.js';
import { AuditLog } from './audit/audit.js';
import { ensureFirstAdmin } from './auth/accounts.js';
import { ApiTokens } from './auth/api-tokens.js';
import { FailedLogins } from './auth/failed-logins.js';
import { LoginSessions } from './auth/login-sessions.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { ChatService } from './chat/chat-service.js';
import { ChatStore } from './chat/chat-store.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { Cluster } from './cluster/cluster.js';
import { throttleFor } from './cluster/cluster-throttle.js';
import { clusterNodeId, nodeDoor, nodeUrlOf, wireCluster } from './cluster/cluster-wiring.js';
import { DeviceDirectory } from './devices/device-directory.js';
import { DeviceIndex } from './devices/device-index.js';
import { DeviceRegistry } from './devices/devices.js';
import { DiagnosticsStore } from './diagnostics/diagnostics.js';
import { SnapshotRetention } from './diagnostics/snapshot-retention.js';
import { EnrollmentTokens } from './fleet/enrollment-tokens.js';
import { FileTransfers } from './files/file-transfers.js';
import { ManagedDevices } from './fleet/managed-devices.js';
import { createApp } from './http/app.js';
import { OwnOrigins } from './http/own-origins.js';
import { routeUpgrades } from './http/upgrade.js';
import { AgentHub } from './hubs/agent-hub.js';
import { admissionGateFor } from './hubs/admission-gate.js';
import { ConsoleHub } from './hubs/console-hub.js';
import { JobWatch } from './hubs/job-watch.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { JobStore } from './jobs/job-store.js';
import { Knowledge } from './knowledge/knowledge.js';
import { ScriptLibrary } from './jobs/script-library.js';
import { AgentLinks } from './relay/agent-links.js';
import { Relay } from './relay/relay.js';
import { RecordingStore } from './recordings/recording-store.js';
import { ShellRecorder } from './recordings/shell-recorder.js';
import { RetentionSchedule, type RetentionTask } from './retention/retention-schedule.js';
import { createLogger, describeError, NodeName, type Log } from './observability/logger.js';
import { listenForMetrics } from './observability/metrics-server.js';
import { Metrics, NO_METRICS, type Meter } from './observability/metrics.js';
import { Readiness } from './observability/readiness.js';
import { announceStart } from './observability/start-notice.js';
import { databaseAnswers, DatabaseUnreachable, migrationsDone, openDatabase, refreshStatistics, type Db } from './store/database.js';
import { redactDatabaseUrl } from './store/database-url.js';
import { ResumeThrottle } from './support/resume-throttle.js';
import { SupportCodes } from './support/support-codes.js';
import { purgeSupport } from './support/support-purge.js';
import { SupportSessions } from './support/support-sessions.js';
import { TicketStore } from './tickets/ticket-store.js';
import { TicketSla } from './tickets/ticket-sla.js';
import { businessCalendar } from '../../protocol/business-calendar.js';
import { ReportService } from './reports/report-service.js';
import { SatisfactionService } from './satisfaction/satisfaction-service.js';
import { SurveyStore } from './satisfaction/survey-store.js';
import { SurveyThrottle } from './satisfaction/survey-throttle.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** The controller's logger, once the configuration said at which level (start-up failures are logged with it). */
let log: Log | null = null;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // An answer to the command line, for the person who typed it: plain text, not a log line.
      const usage = err.message.startsWith('Usage:');
      (usage ? process.stdout : process.stderr).write(`${err.message}\n`);
      process.exit(usage ? 0 : 2);
    }
    throw err;
  }

  const node = new NodeName(config.redisUrl !== null ? clusterNodeId(config) : (config.nodeId ?? NodeName.of(config.port)));
  const logger = createLogger({ level: config.logLevel, node });
  log = logger;
  process.on('uncaughtException', (err) => exitAfter(logger, err, 'uncaught exception'));
  process.on('unhandledRejection', (err) => exitAfter(logger, err, 'unhandled promise rejection'));
  // Metrics cost a little on every query and frame: measured only when someone may read them.
  const metrics = config.metricsTokenHash !== null || config.metricsListen !== null ? new Metrics(node.value) : null;
  const meter: Meter = metrics ?? NO_METRICS;

  let db: Db;
  try {
    db = await openDatabase(config, metrics ? { onQuery: (seconds) => metrics.dbQuery(seconds) } : {});
  } catch (err) {
    if (!(err instanceof DatabaseUnreachable)) throw err;
    logger.fatal(err.message);
    console.error(err.message);
    process.exit(1);
  }
  const admin = await ensureFirstAdmin(db, config.adminPassword);
  const tls = config.tlsCert !== null;
  const audit = new AuditLog(db, { log: logger });
  const sessions = new LoginSessions(db, tls);
  const supportSessions = new SupportSessions(db);
  const codes = await SupportCodes.open(db, config.supportCodeTtlMs, config.maxWaitingLinks);
  const diagnostics = new DiagnosticsStore(db, config.thresholds, new SnapshotRetention(db, config.snapshotsPerDevice));
  const managedDevices = new ManagedDevices(db);
  const enrollmentTokens = new EnrollmentTokens(db);
  // A cluster node (--redis-url) learns who holds what before it shows any device.
  const cluster = config.redisUrl === null ? null : await Cluster.open({
    redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, secret: config.clusterSecret!, nodeId: node.value, log: logger,
  });
  const readiness = new Readiness(
    { database: () => databaseAnswers(db), migrationsDone: () => migrationsDone(db), ...(cluster ? { redis: () => cluster.redisAnswers() } : {}) },
    { onProbeError: (err) => logger.warn({ err }, 'readiness: a probe failed (the database or Redis)') },
  );
  const devices = new DeviceRegistry(supportSessions, new DeviceIndex(db, logger), logger);
  await devices.load(await diagnostics.latestSeverities(), await managedDevices.list(), cluster?.onlineElsewhere(), cluster ? () => cluster.heldElsewhere() : undefined);
  const directory = new DeviceDirectory(db, devices);
  const tickets = new TicketStore(db, audit, new TicketSla(businessCalendar(config.businessHours)), undefined, logger);

  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!) })
    : createHttpServer();
  const listeningPort = () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : config.port;
  };
  const origins = new OwnOrigins({ host: config.host, publicUrl: config.publicUrl, allowedHosts: config.allowedHosts, tls }, listeningPort);
  const listenUrl = () => origins.primaryUrl();

  // The registry of agent links comes first: the relay and the dispatcher read it, the hub fills it.
  const links = cluster?.localLinks ?? new AgentLinks();
  // What routes to any agent: on a cluster node, those other nodes hold as well.
  const anyAgent = cluster?.links ?? links;
  const recordings = new RecordingStore(db, config.dataDir, audit, cluster ? node.value : null);
  const recorder = new ShellRecorder({
    enabled: config.recording, store: recordings, timeline: tickets, audit, maxBytes: config.recordingMaxBytes, language: config.language, log: (line) => logger.warn(line),
  });
  cluster?.onNodeDied((nodeId) => {
    recordings.nodeDied(nodeId).then((shells) => recorder.interrupted(shells))
      .catch((err: unknown) => logger.error({ err, deadNode: nodeId }, 'recordings: a dead node\'s recordings could not be marked interrupted'));
  });
  const interrupted = await recordings.markInterrupted();
  if (interrupted.length > 0) logger.info({ interrupted: interrupted.length }, `recordings: ${interrupted.length} recordings left open by the last run are marked interrupted`);
  await recorder.interrupted(interrupted);
  const relay = new Relay(audit, anyAgent, recorder, { graceMs: config.shellGraceMs, meter, ...(cluster ? { channels: cluster.shellChannels } : {}) });
  const files = new FileTransfers(audit, anyAgent, { maxBytes: config.fileMaxBytes, ...(cluster ? { channels: cluster.fileChannels } : {}) });
  const scripts = new ScriptLibrary(db);
  const jobStore = new JobStore(db);
  const apiTokens = new ApiTokens(db);
  // Each node dispatches only to the agents it holds; a run expires only when its device is offline everywhere.
  const dispatcher = new Dispatcher({ store: jobStore, audit, links, meter, log: logger, ...(cluster ? { isPresent: (id: string) => cluster.links.isOnline(id), anywhere: cluster.links } : {}) });
  await dispatcher.start();
  const reports = new ReportService(db);
  const surveys = new SurveyStore(db, tickets, audit, { expiryMs: config.satisfactionExpiryDays * DAY, dayOf: (at) => reports.figures.day(at) });
  const satisfaction = new SatisfactionService(db, tickets, surveys, anyAgent);
  const knowledge = new Knowledge({ db, audit, diagnostics, devices, tickets, jobs: { scripts, jobStore, dispatcher, apiTokens, managedDevices, audit } });
  const chatStore = new ChatStore(db, tickets, undefined, logger);
  const chat = new ChatService(chatStore, anyAgent, audit, logger);
  const ticketJoins = new Map<string, Promise<unknown>>();
  const agents = new AgentHub({
    config, codes, sessions: supportSessions, devices, audit, diagnostics, managedDevices, controllerUrl: listenUrl, links, relay, files, jobs: dispatcher, chat,
    throttle: throttleFor(cluster, 'agent', { maxFailures: 10, windowMs: FIFTEEN_MINUTES }),
    resumes: new ResumeThrottle(),
    gate: admissionGateFor(config.databasePoolSize),
    meter,
    satisfaction,
    ...(cluster ? { cluster: cluster.hooks } : {}),
    onJoined: (sessionId, deviceId, hostname, problem) => {
      // The join snapshot follows at once: its findings wait for the device to be on the ticket.
      const joined = tickets.sessionJoined(sessionId, deviceId, hostname, problem).catch((err: unknown) => logger.error({ err, device: deviceId }, 'tickets: could not record a join on its ticket'));
      ticketJoins.set(deviceId, joined);
      void joined.finally(() => ticketJoins.get(deviceId) === joined && ticketJoins.delete(deviceId));
    },
    onDiagnosed: (deviceId, snapshotId, worst, count, join) => {
      void Promise.resolve(ticketJoins.get(deviceId))
        .then(() => tickets.findingsArrived(deviceId, snapshotId, worst, count, join))
        .catch((err: unknown) => logger.error({ err, device: deviceId }, 'tickets: could not put findings on a ticket'));
    },
  });
  // Other nodes' consoles asking for diagnostics join the collection under way here, as this node's do.
  cluster?.answerDiagnosticsWith((deviceId, requestId) => agents.requestDiagnostics(deviceId, requestId));
  const chores = retentionTasks(db, config, devices, (id) => anyAgent.isOnline(id), tickets, recordings);
  // One node of a cluster purges and prunes the shared store (each would do the same work, and audit it twice).
  const tasks = cluster ? chores.map((task) => ({ name: task.name, run: () => (cluster.isLeader() ? task.run() : Promise.resolve(null)) })) : chores;
  const retention = new RetentionSchedule(tasks, { everyMs: HOUR, firstAfterMs: 5_000, log: logger });
  retention.start();
  const consoles = new ConsoleHub(
    devices, relay, config.heartbeatMs,
    // On a cluster node, a device held by another node is asked through it.
    (deviceId, requestId) => agents.requestDiagnostics(deviceId, requestId) || (cluster?.links.send(deviceId, { t: 'diagnostics.request', requestId }) ?? false), new JobWatch(dispatcher), tickets, chat, meter, files,
  );
  // What the gauges count is read from its holders at each scrape.
  metrics?.readFrom({
    agentsOnline: () => {
      let managed = 0;
      for (const link of links.all()) if (link.sessionId === null) managed++;
      return { attended: links.size - managed, managed };
    },
    consoles: () => consoles.size,
    shellsOpen: () => relay.openShells,
  });

  const here = dirname(fileURLToPath(import.meta.url));
  const app = createApp(
    {
      sessions, supportSessions, codes, devices, directory, agents, audit, diagnostics, managedDevices, enrollmentTokens, scripts, jobStore, dispatcher, apiTokens, tickets, recordings, chat: chatStore, chatService: chat, sessionOf: (code: string) => codes.sessionOf(code), files,
      surveys, reports, surveyThrottle: new SurveyThrottle(),
      surveyLinkOf: async (code: string, language: 'fr' | 'en', base: string) => {
        const codeId = await codes.usedCodeId(code);
        const link = codeId === null ? null : await satisfaction.pageLink(codeId, language);
        return link === null ? null : { url: `${base}/survey/${link.token}`, ticketNumber: link.ticketNumber };
      },
      knowledge, personHelp: (deviceId: string, language: Language) => knowledge.supportArticles.html(deviceId, language),
      enrollThrottle: throttleFor(cluster, 'enroll', { maxFailures: 10, windowMs: FIFTEEN_MINUTES }),
      loginThrottle: new LoginThrottle(undefined, undefined, (options, name) => throttleFor(cluster, name, options)),
      failedLogins: new FailedLogins(db),
      throttle: throttleFor(cluster, 'api', { maxFailures: 20, windowMs: FIFTEEN_MINUTES }),
      organization: config.organization, tls, origins, trustProxy: config.trustProxy, language: config.language,
      readiness, log: logger, meter, metrics, metricsTokenHash: config.metricsTokenHash,
    },
    { webDir: join(here, '..', 'web'), agentPackage: join(here, '..', 'download', 'relais-agent.tgz'), agentExecutables: config.agentsDir ?? join(here, '..', 'agents') },
  );
  server.on('request', app);
  // A file upload may take longer than Node's default 5 minutes for a whole request; the
  // headers still have to arrive within headersTimeout, and a stalled transfer is ended by its own checks.
  server.requestTimeout = 0;
  // An idle keep-alive connection is closed by the client first (undici and browsers reuse one
  // for several seconds): with Node's 5 s, a request sent as the server closed met "other side
  // closed". 65 s, as nginx (75 s) and load balancers (60 s idle) keep them.
  server.keepAliveTimeout = 65_000;
  routeUpgrades(server, {
    agents, consoles, sessions, origins, trustProxy: config.trustProxy, log: logger,
    ...(cluster ? { nodes: nodeDoor(cluster, audit) } : {}),
  });
  if (cluster) wireCluster(cluster, { devices, relay, files, agents, dispatcher, diagnostics, chat, tickets, log: logger });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  if (config.nodeId === null && cluster === null) {
    node.settle(NodeName.of(listeningPort()));
    metrics?.labelNode(node.value);
  }
  await cluster?.announce(nodeUrlOf(config, tls, listeningPort()));
  // Figures of tickets written before this version (or by a bench's seeding) are computed once, in the background.
  void reports.figures.catchUp().catch((err: unknown) => logger.error({ err: String(err) }, 'reports: the figures could not be brought up to date'));
  const metricsServer = metrics && config.metricsListen ? await listenForMetrics(metrics, config.metricsListen, config.allowedHosts, logger) : null;
  if (metricsServer) {
    const bound = metricsServer.address() as AddressInfo;
    const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}/metrics`;
    logger.info({ metricsUrl: url }, `metrics: served at ${url} without a token`);
  }
  if (metrics && config.metricsTokenHash) logger.info('metrics: served at /metrics on this port to the metrics token (Authorization: Bearer)');
  announceStart({ url: listenUrl(), dataDir: config.dataDir, ...(config.databaseUrl ? { store: `database ${redactDatabaseUrl(config.databaseUrl)}, files in ${config.dataDir}` } : {}), hostNames: origins.needsAnnouncement ? origins.describe() : null, admin }, logger, process.stderr);

  // SIGTERM (an orchestrator, systemd): readiness fails at once, the server keeps answering for
  // --drain-seconds so the balancer sees it and stops sending, then closes. SIGINT (Ctrl+C) and a
  // second signal close at once.
  let state: 'running' | 'draining' | 'closing' = 'running';
  const close = () => {
    if (state === 'closing') return;
    state = 'closing';
    dispatcher.stop();
    agents.closeAll();
    const leaving = cluster?.close().catch((err: unknown) => logger.warn({ err }, 'cluster: leaving the cluster failed'));
    consoles.closeAll(CLOSE_CODES.serverShutdown);
    metricsServer?.close();
    // Repeats still being counted are appended before the database closes.
    const settled = Promise.allSettled([retention.stop(), recorder.closeAll().then(() => audit.flush()), leaving]);
    server.close(() => void settled.then(() => db.destroy()).finally(() => process.exit(0)));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 3000).unref();
  };
  const stop = (signal: NodeJS.Signals) => {
    if (state === 'running') {
      state = 'draining';
      readiness.beginShutdown();
      const drainSeconds = signal === 'SIGTERM' ? config.drainSeconds : 0;
      logger.info({ signal, drainSeconds }, `Relais controller stopping (${signal}).`);
      if (drainSeconds > 0) return void setTimeout(close, drainSeconds * 1000);
    }
    close();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Logs what ended the process, then ends it: nothing may keep running in an unknown state. */
function exitAfter(logger: Log, err: unknown, what: string): void {
  logger.fatal({ err }, `Relais controller stopped: ${what}`);
  process.exit(1);
}

/** Purging expired codes and ended sessions, and (when configured) pruning the audit log. */
function retentionTasks(
  db: Db, config: Config, devices: DeviceRegistry, isOnline: (deviceId: string) => boolean, tickets: TicketStore, recordings: RecordingStore,
): RetentionTask[] {
  const tasks: RetentionTask[] = [
    {
      name: 'support links and sessions',
      async run() {
        const purged = await purgeSupport(db, { retentionMs: config.sessionRetentionDays * DAY, isOnline, now: Date.now });
        for (const id of purged.devices) devices.forget(id);
        const changed = purged.codes + purged.expiredSessions + purged.devices.length;
        return changed === 0 ? null : `${purged.codes} expired codes removed, ${purged.expiredSessions} sessions expired, ${purged.devices.length} ended sessions removed`;
      },
    },
  ];
  tasks.push({
    name: 'query planner statistics',
    async run() {
      await refreshStatistics(db, 'periodic');
      return null;
    },
  });
  tasks.push({
    name: 'tickets auto-close',
    async run() {
      const closed = await tickets.autoClose(config.ticketAutoCloseDays);
      return closed === 0 ? null : `${closed} resolved tickets closed after ${config.ticketAutoCloseDays} days`;
    },
  });
  tasks.push({
    name: 'shell recordings',
    async run() {
      const days = config.recordingRetentionDays;
      const deleted = await recordings.purgeOlderThan(Date.now() - days * DAY, days);
      return deleted === 0 ? null : `${deleted} recordings older than ${days} days deleted (audited as recordings.purged)`;
    },
  });
  const days = config.auditRetentionDays;
  if (days !== null) {
    tasks.push({
      name: 'audit log',
      async run() {
        const now = Date.now();
        const deleted = await pruneAudit(db, auditCutoff(now, days), days, now);
        return deleted === 0 ? null : `${deleted} entries older than ${days} days pruned (audited as audit.pruned)`;
      },
    });
  }
  return tasks;
}

main().catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  const message =
    code === 'EADDRINUSE' ? 'Relais could not start: the port is already in use. Choose another with --port (or --metrics-listen).'
    : code === 'EACCES' ? 'Relais could not start: not allowed to listen on that address or port.'
    : `Relais could not start: ${describeError(err)}`;
  if (log) log.fatal({ err }, message);
  else process.stderr.write(`${message}\n`);
  process.exit(1);
});
