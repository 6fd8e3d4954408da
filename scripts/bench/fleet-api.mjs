/** The REST calls the fleet bench makes as the admin: enrollment token, jobs, devices. */

async function call(url, cookie, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { cookie, origin: url, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

/** An enrollment token for the bench group with enough uses for every simulated device. */
export function createEnrollmentToken(url, cookie, maxUses) {
  return call(url, cookie, 'POST', '/api/enrollment-tokens', { group: 'bench', expiresInHours: 2, maxUses });
}

/** True once the controller answers POST /api/jobs at all (the jobs server side exists). */
export async function jobsApiExists(url, cookie) {
  const res = await fetch(`${url}/api/jobs`, { method: 'GET', headers: { cookie }, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.status === 200;
}

/** POST /api/jobs → the job. */
export async function createJob(url, cookie, body) {
  return (await call(url, cookie, 'POST', '/api/jobs', body)).job;
}

/** GET /api/jobs/:id → the job (with counts). */
export async function getJob(url, cookie, jobId) {
  return (await call(url, cookie, 'GET', `/api/jobs/${jobId}`)).job;
}

/** How many enrolled devices the controller counts as online. */
export async function onlineDevices(url, cookie) {
  // The list is paged: one row is enough, the answer counts every match.
  return (await call(url, cookie, 'GET', '/api/devices?kind=managed&online=true&limit=1')).total;
}
