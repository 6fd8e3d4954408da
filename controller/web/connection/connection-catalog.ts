/** The connection's own words (the controller's refusals come from the error catalog, protocol/error-words.ts). */
import { defineCatalog } from '../../../protocol/index.js';

export const connectionCatalog = defineCatalog(
  {
    unreachable: 'The controller cannot be reached. Check your network connection and try again.',
  },
  {
    unreachable: 'Le contrôleur est injoignable. Vérifiez votre connexion réseau et réessayez.',
  },
);
