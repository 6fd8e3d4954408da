/** The chat history of a device's support sessions (issue 15, point 4), for the device page. */
import { Router } from 'express';
import { RelaisError } from '../../../protocol/index.js';
import { chatAnswers, chatQuery } from '../../../protocol/rest-chat-answers.js';
import type { ChatStore } from '../chat/chat-store.js';
import type { DeviceRegistry } from '../devices/devices.js';
import { answer } from './answer.js';
import { badQuery } from './errors.js';

export interface ChatDeps {
  readonly chat: ChatStore;
  readonly devices: DeviceRegistry;
}

export function chatRoutes(deps: ChatDeps): Router {
  const routes = Router();
  routes.get('/devices/:id/chat', async (req, res) => {
    const deviceId = String(req.params.id);
    if (!deps.devices.view(deviceId)) throw new RelaisError('HTTP_ERR_NOT_FOUND', 'No such device.'); // i18n-ignore: detail for the log; the code has catalog words
    const query = chatQuery.safeParse(req.query);
    if (!query.success) throw badQuery(query.error);
    answer(res, chatAnswers.page, await deps.chat.page(deviceId, query.data.before, query.data.limit));
  });
  return routes;
}
