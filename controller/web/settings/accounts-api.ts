/** The REST calls for technician accounts and a person's own password, each answer checked against its schema. */
import { restAnswers } from '../../../protocol/index.js';
import { request, send } from '../connection/api.js';

export type { AccountView, Role } from '../../../protocol/index.js';
import type { Role } from '../../../protocol/index.js';

/** Shortest password the controller accepts (USER_ERR_WEAK_PASSWORD below it). */
export const MIN_PASSWORD_LENGTH = 12;

export const accountsApi = {
  list: () => request('GET', '/api/users', restAnswers.users),
  create: (body: { username: string; name: string; password: string; role: Role }) => request('POST', '/api/users', restAnswers.user, body),
  update: (id: number, changes: { name?: string; role?: Role; password?: string }) => request('PATCH', `/api/users/${id}`, restAnswers.user, changes),
  remove: (id: number) => send('DELETE', `/api/users/${id}`),
  changeOwnPassword: (current: string, next: string) => send('POST', '/api/me/password', { current, next }),
};
