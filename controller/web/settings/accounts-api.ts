/** The REST calls for technician accounts and a person's own password. */
import { request } from '../connection/api.js';

export type Role = 'admin' | 'technician';

export interface AccountView {
  id: number;
  username: string;
  name: string;
  role: Role;
  createdAt: number;
}

/** Shortest password the controller accepts (USER_ERR_WEAK_PASSWORD below it). */
export const MIN_PASSWORD_LENGTH = 12;

export const accountsApi = {
  list: () => request<{ users: AccountView[] }>('GET', '/api/users'),
  create: (body: { username: string; name: string; password: string; role: Role }) => request<{ user: AccountView }>('POST', '/api/users', body),
  update: (id: number, changes: { name?: string; role?: Role; password?: string }) => request<{ user: AccountView }>('PATCH', `/api/users/${id}`, changes),
  remove: (id: number) => request<void>('DELETE', `/api/users/${id}`),
  changeOwnPassword: (current: string, next: string) => request<void>('POST', '/api/me/password', { current, next }),
};
