/**
 * A controller told to use PostgreSQL that cannot reach it stops at once with a message
 * for the operator that names the database (password hidden) and what to check, instead
 * of listening and failing on every request.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startController } from '../helpers/controller-process.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a PostgreSQL store that does not answer', () => {
  it('stops the controller with a clear message, the password hidden', async () => {
    const port = await closedPort();
    const started = Date.now();
    const failure = await startController({ args: ['--database-url', `postgres://relais:hunter2-secret@127.0.0.1:${port}/relais`] }).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toContain('controller exited with 1');
    expect(failure).toContain(`Could not reach the PostgreSQL database postgres://relais:***@127.0.0.1:${port}/relais`);
    expect(failure).toContain('Check --database-url (RELAIS_DATABASE_URL)');
    expect(failure).not.toContain('hunter2-secret');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
