/**
 * What the throughput runs print: `base64` of zeros (76-column lines, the heavier
 * stream a person sees when a command dumps data) and `yes` (long lines, large
 * blocks), between two markers the shell computes, so the echoed command line
 * never matches them. The expected sha256 of what a terminal receives is computed
 * by running the same producer into a pipe here, with the pty's "\n" → "\r\n".
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

export const START_MARKER = 'BENCH-START-2\r\n';
export const END_MARKER = 'BENCH-DONE-42';

export const STREAMS = Object.freeze({
  base64: (bytes) => `head -c ${bytes} /dev/zero | base64`,
  yes: (bytes) => `yes relais-throughput-line | head -c ${bytes}`,
});

/** The command typed into the shell for `stream` of `bytes` source bytes. */
export function throughputCommand(stream, bytes) {
  return `echo BENCH-START-$((1+1)); ${STREAMS[stream](bytes)}; echo BENCH-DONE-$((40+2))`;
}

/** sha256 and length of what a pty (onlcr) would deliver for the producer's output. */
export function expectedOutput(stream, bytes) {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', STREAMS[stream](bytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const hash = createHash('sha256');
    let length = 0;
    child.stdout.on('data', (chunk) => {
      let from = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, from)) {
        hash.update(chunk.subarray(from, at));
        hash.update('\r\n');
        length += at - from + 2;
        from = at + 1;
      }
      hash.update(chunk.subarray(from));
      length += chunk.length - from;
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ bytes: length, sha256: hash.digest('hex') }) : reject(new Error(`${STREAMS[stream](bytes)} exited with ${code}`))));
  });
}
