/**
 * `Server-Timing: app;dur=<ms>, cpu;dur=<ms>` on the store-heavy routes (tickets, knowledge,
 * reports): the time from the router to the headers, and the process's CPU time meanwhile (the
 * request's own when requests come one at a time, as in the benches: on a busy machine the wall
 * time grows with the others' load, the CPU time much less). Read by scripts/bench/*-bench.mjs
 * and the browser's network panel. One clock read, one CPU reading and one header: cheap enough
 * to stay on.
 */
import type { Request, Response } from 'express';

export function serverTiming(_req: Request, res: Response, next: () => void): void {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
    if (!this.headersSent) {
      const used = process.cpuUsage(cpu);
      this.setHeader('Server-Timing', `app;dur=${(performance.now() - started).toFixed(2)}, cpu;dur=${((used.user + used.system) / 1000).toFixed(2)}`); // i18n-ignore: HTTP header
    }
    return writeHead.apply(this, args);
  } as Response['writeHead'];
  next();
}
