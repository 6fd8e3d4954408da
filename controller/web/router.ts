/** Hash routes: the app's screens and their addresses. */

export type Route =
  | { name: 'login' }
  | { name: 'dashboard' }
  | { name: 'device'; deviceId: string }
  | { name: 'audit' };

/** Reads a route from `location.hash`; anything unknown is the dashboard. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/login') return { name: 'login' };
  if (path === '/audit') return { name: 'audit' };
  const device = /^\/devices\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (device?.[1]) return { name: 'device', deviceId: device[1] };
  return { name: 'dashboard' };
}

/** The hash for a route. */
export function hashOf(route: Route): string {
  switch (route.name) {
    case 'login':
      return '#/login';
    case 'dashboard':
      return '#/';
    case 'device':
      return `#/devices/${encodeURIComponent(route.deviceId)}`;
    case 'audit':
      return '#/audit';
  }
}
