/** The controller's composition root: read the config once, build the parts, wire them, listen. */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLOSE_CODES } from '../../protocol/index.js';
import { auditCutoff, pruneAudit } from './audit/audit-retention.js';
import { AuditLog } from './audit/audit.js';
import { ensureFirstAdmin } from './auth/accounts.js';
import { ApiTokens } from './auth/api-tokens.js';
import { FailedLogins } from './auth/failed-logins.js';
import { LoginSessions } from './auth/login-sessions.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { Throttle } from './auth/throttle.js';
import { ChatService } from './chat/chat-service.js';
import { ChatStore } from './chat/chat-store.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
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
import { ConsoleHub } from './hubs/console-hub.js';
import { JobWatch } from './hubs/job-watch.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { JobStore } from './jobs/job-store.js';
import { ScriptLibrary } from './jobs/script-library.js';
import { AgentLinks } from './relay/agent-links.js';
import { Relay } from './relay/relay.js';
import { RecordingStore } from './recordings/recording-store.js';
import { ShellRecorder } from './recordings/shell-recorder.js';
import { RetentionSchedule, type RetentionTask } from './retention/retention-schedule.js';
import { openDatabase, type Db } from './store/database.js';
import { ResumeThrottle } from './support/resume-throttle.js';
import { SupportCodes } from './support/support-codes.js';
import { purgeSupport } from './support/support-purge.js';
import { SupportSessions } from './support/support-sessions.js';
import { TicketStore } from './tickets/ticket-store.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(err.message.startsWith('Usage:') ? 0 : 2);
    }
    throw err;
  }

  const db = await openDatabase(config.dataDir);
  const admin = await ensureFirstAdmin(db, config.adminPassword);
  const tls = config.tlsCert !== null;
  const audit = new AuditLog(db);
  const sessions = new LoginSessions(db, tls);
  const supportSessions = new SupportSessions(db);
  const codes = await SupportCodes.open(db, config.supportCodeTtlMs, config.maxWaitingLinks);
  const diagnostics = new DiagnosticsStore(db, config.thresholds, new SnapshotRetention(db, config.snapshotsPerDevice));
  const managedDevices = new ManagedDevices(db);
  const enrollmentTokens = new EnrollmentTokens(db);
  const devices = new DeviceRegistry(supportSessions, new DeviceIndex(db));
  await devices.load(await diagnostics.latestSeverities(), await managedDevices.list());
  const directory = new DeviceDirectory(db, devices);
  const tickets = new TicketStore(db, audit);

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
  const links = new AgentLinks();
  const recordings = new RecordingStore(db, config.dataDir, audit);
  const interrupted = await recordings.markInterrupted();
  if (interrupted > 0) console.log(`recordings: ${interrupted} recordings left open by the last run are marked interrupted`);
  const recorder = new ShellRecorder({
    enabled: config.recording, store: recordings, timeline: tickets, audit, maxBytes: config.recordingMaxBytes, language: config.language, log: (line) => console.error(line),
  });
  const relay = new Relay(audit, links, recorder, { graceMs: config.shellGraceMs });
  const files = new FileTransfers(audit, links, { maxBytes: config.fileMaxBytes });
  const scripts = new ScriptLibrary(db);
  const jobStore = new JobStore(db);
  const apiTokens = new ApiTokens(db);
  const dispatcher = new Dispatcher({ store: jobStore, audit, links });
  await dispatcher.start();
  const chatStore = new ChatStore(db, tickets);
  const chat = new ChatService(chatStore, links, audit);
  const ticketJoins = new Map<string, Promise<unknown>>();
  const agents = new AgentHub({
    config, codes, sessions: supportSessions, devices, audit, diagnostics, managedDevices, controllerUrl: listenUrl, links, relay, files, jobs: dispatcher, chat,
    throttle: new Throttle({ maxFailures: 10, windowMs: FIFTEEN_MINUTES }),
    resumes: new ResumeThrottle(),
    onJoined: (sessionId, deviceId, hostname, problem) => {
      // The join snapshot follows at once: its findings wait for the device to be on the ticket.
      const joined = tickets.sessionJoined(sessionId, deviceId, hostname, problem).catch((err: unknown) => console.error(`tickets: could not record a join on its ticket: ${String(err)}`));
      ticketJoins.set(deviceId, joined);
      void joined.finally(() => ticketJoins.get(deviceId) === joined && ticketJoins.delete(deviceId));
    },
    onDiagnosed: (deviceId, snapshotId, worst, count, join) => {
      void Promise.resolve(ticketJoins.get(deviceId))
        .then(() => tickets.findingsArrived(deviceId, snapshotId, worst, count, join))
        .catch((err: unknown) => console.error(`tickets: could not put findings on a ticket: ${String(err)}`));
    },
  });
  const retention = new RetentionSchedule(retentionTasks(db, config, devices, (id) => links.isOnline(id), tickets, recordings), { everyMs: HOUR, firstAfterMs: 5_000 });
  retention.start();
  const consoles = new ConsoleHub(
    devices, relay, config.heartbeatMs, (deviceId, requestId) => agents.requestDiagnostics(deviceId, requestId), new JobWatch(dispatcher), tickets, chat, files,
  );

  const here = dirname(fileURLToPath(import.meta.url));
  const app = createApp(
    {
      sessions, supportSessions, codes, devices, directory, agents, audit, diagnostics, managedDevices, enrollmentTokens, scripts, jobStore, dispatcher, apiTokens, tickets, recordings, chat: chatStore, chatService: chat, sessionOf: (code: string) => codes.sessionOf(code), files,
      enrollThrottle: new Throttle({ maxFailures: 10, windowMs: FIFTEEN_MINUTES }),
      loginThrottle: new LoginThrottle(),
      failedLogins: new FailedLogins(db),
      throttle: new Throttle({ maxFailures: 20, windowMs: FIFTEEN_MINUTES }),
      organization: config.organization, tls, origins, trustProxy: config.trustProxy, language: config.language,
    },
    { webDir: join(here, '..', 'web'), agentPackage: join(here, '..', 'download', 'relais-agent.tgz') },
  );
  server.on('request', app);
  // A file upload may take longer than Node's default 5 minutes for a whole request; the
  // headers still have to arrive within headersTimeout, and a stalled transfer is ended by its own checks.
  server.requestTimeout = 0;
  routeUpgrades(server, { agents, consoles, sessions, origins, trustProxy: config.trustProxy });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  console.log(`Relais controller listening on ${listenUrl()} (data in ${config.dataDir})`);
  if (origins.needsAnnouncement) console.log(origins.describe());
  if (admin.generatedPassword) {
    // Printed once, on purpose: the operator needs it to log in the first time. It is never logged again.
    console.log(`\nFirst start: created account "admin" with password: ${admin.generatedPassword}\nKeep it somewhere safe; it will not be shown again.\n`);
  } else if (admin.created) {
    console.log('First start: created account "admin" with the password from RELAIS_ADMIN_PASSWORD.');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Relais controller stopping (${signal}).`);
    dispatcher.stop();
    agents.closeAll();
    consoles.closeAll(CLOSE_CODES.serverShutdown);
    // Repeats still being counted are appended before the database closes.
    const settled = Promise.allSettled([retention.stop(), recorder.closeAll().then(() => audit.flush())]);
    server.close(() => void settled.then(() => db.destroy()).finally(() => process.exit(0)));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
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
  if (code === 'EADDRINUSE') console.error('Relais could not start: the port is already in use. Choose another with --port.');
  else if (code === 'EACCES') console.error('Relais could not start: not allowed to listen on that address or port.');
  else console.error(`Relais could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
