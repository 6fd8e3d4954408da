/** Every limit of the wire protocol, in one place. Both ends enforce them. */
export const LIMITS = Object.freeze({
  /** Largest websocket message either side accepts (ws maxPayload). */
  maxFrameBytes: 256 * 1024,
  /** Largest JSON control message. */
  maxJsonBytes: 128 * 1024,
  /** Largest payload in one binary stream frame (header excluded). */
  maxChunkBytes: 64 * 1024,
  /** Open channels (shells, script runs) on one connection at once. */
  maxChannelsPerConnection: 8,
  /** Invalid messages tolerated after authentication before the socket is closed. */
  maxViolations: 5,
  /** The controller pings every connection this often. */
  heartbeatIntervalMs: 15_000,
  /** A peer silent for this long is treated as dead. */
  heartbeatTimeoutMs: 40_000,
  /** How long a managed device has to answer auth.challenge; the nonce is worthless afterwards. */
  authChallengeMs: 10_000,
  /**
   * Bytes of terminal output the agent may send before the reader acknowledges. The relay's
   * speed is this window over the acknowledgement's round trip, which a cluster lengthens
   * by one node: a console on one node reading an agent held by another reached, of a single
   * node, ~80 % with 1 MiB, 82-90 % with 2 MiB (OpenSSH's session window), 94.6 % with 4 MiB
   * (busy 2-core VM). The cost: when the browser is the slow end, up to this much output
   * still arrives after a Ctrl+C (xterm.js parses tens of MB/s: about a tenth of a second).
   * A socket to a console may already queue as much (relayHighWaterBytes).
   */
  initialWindowBytes: 4 * 1024 * 1024,
  /** Recent output of a shell the controller keeps (a ring) for a console that reattaches. */
  maxScrollbackBytes: 256 * 1024,
  /** How long a shell stays open on the agent with no console attached, unless the controller is told otherwise. */
  shellGraceMs: 2 * 60 * 1000,
  /** Bytes a relay lets queue on one socket before it stops reading from the other side. */
  relayHighWaterBytes: 4 * 1024 * 1024,
  /**
   * Bytes the controller lets queue for a peer that does not read (answers, updates, frames)
   * before it cuts the connection off: far above what flow control lets the relay queue
   * (relayHighWaterBytes), so only a peer that stopped reading while asking reaches it.
   */
  maxPeerBacklogBytes: 32 * 1024 * 1024,
  /** Terminal size bounds. */
  maxCols: 1000,
  maxRows: 500,
  /** Bytes of each output stream (stdout, stderr) a job run keeps, on the agent and the controller; beyond it, truncated. */
  maxJobOutputBytes: 1024 * 1024,
  /** Raw bytes of output in one job.output message (base64 makes it 64 KiB on the wire). */
  maxJobOutputChunkBytes: 48 * 1024,
  /** Largest script body, in bytes of JSON (it travels inside one job.run message). */
  maxScriptBodyBytes: 64 * 1024,
  /** Parameters of one job, the largest value of one, and all of them together, in bytes of JSON (job.run fits one message). */
  maxJobParams: 32,
  maxJobParamBytes: 4096,
  maxJobParamsBytes: 16 * 1024,
  /** Runs one page of GET /api/jobs/:id/runs carries at most. */
  maxRunPage: 500,
  /** Devices one job may target. */
  maxJobDevices: 10_000,
  /** Runs of one job in flight (dispatched or running) at once. */
  maxJobConcurrency: 100,
  /** Longest per-device timeout of a job: a day. */
  maxJobTimeoutSeconds: 24 * 60 * 60,
  /** After SIGTERM, how long a script's process group has before SIGKILL. */
  jobKillGraceMs: 5000,
});

export type Limits = typeof LIMITS;
