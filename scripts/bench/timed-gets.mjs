/**
 * Timed GETs against a running controller, as the store benches (tickets, knowledge, reports)
 * measure them: a warm-up, then each answer's server time from its `Server-Timing: app;dur=`
 * header (and `cpu;dur=` where the route sends it) beside the time the client waited.
 */
import { percentile } from './stats.mjs';

/** p50, p95 and max of a list of milliseconds. */
export const summary = (values) => ({ p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) });

/**
 * `requests` GETs after `warmUp` unmeasured ones; `path(i)` gives the i-th request's path and
 * `rowsOf(body)` how many rows an answer held. A refused request stops the bench (a figure measured
 * on an error page would mislead), and so does a missing Server-Timing header unless `timed` is false
 * (routes that send none: their server time is NaN and the client time stands).
 */
export async function timedGets(url, cookie, { requests, warmUp, path, rowsOf = () => 0, timed = true }) {
  const server = [];
  const cpu = [];
  const client = [];
  let rows = 0;
  for (let i = -warmUp; i < requests; i++) {
    const started = performance.now();
    const res = await fetch(url + path(i), { headers: { cookie } });
    const text = await res.text();
    const elapsed = performance.now() - started;
    if (!res.ok) throw new Error(`GET ${path(i)}: ${res.status} ${text.slice(0, 300)}`);
    if (i < 0) continue;
    const timing = /app;dur=([0-9.]+)(?:, cpu;dur=([0-9.]+))?/.exec(res.headers.get('server-timing') ?? '');
    if (!timing && timed) throw new Error(`GET ${path(i)}: no Server-Timing header`);
    server.push(timing ? Number(timing[1]) : NaN);
    if (timing?.[2] !== undefined) cpu.push(Number(timing[2]));
    client.push(elapsed);
    rows += rowsOf(text.startsWith('{') ? JSON.parse(text) : null);
  }
  return { requests, rowsPerAnswer: rows / requests, server, cpu, client };
}
