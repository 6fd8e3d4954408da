/** The words the controller writes for the knowledge base: a draft made from a ticket, and the support page's articles. */
import { defineCatalog } from '../../../protocol/index.js';

export const knowledgeCatalog = defineCatalog(
  {
    draftPersonSaid: 'The person said:',
    draftFindings: 'What the device showed when it joined:',
    draftScripts: 'Scripts run on the device:',
    supportHeading: 'Help for what your computer shows',
    supportLead: 'Your technician has written these steps for problems like the one your computer reports. You may try them while you wait.',
    supportSymptoms: 'You may notice',
    supportSteps: 'What to do',
  },
  {
    draftPersonSaid: 'La personne a dit\u00a0:',
    draftFindings: 'Ce que le poste montrait en se connectant\u00a0:',
    draftScripts: 'Scripts exécutés sur le poste\u00a0:',
    supportHeading: 'De l\u2019aide pour ce que montre votre ordinateur',
    supportLead: 'Votre technicien a rédigé ces étapes pour les problèmes comme celui que signale votre ordinateur. Vous pouvez les essayer en attendant.',
    supportSymptoms: 'Ce que vous pouvez remarquer',
    supportSteps: 'Que faire',
  },
);
