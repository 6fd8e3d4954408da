/**
 * French typography in the catalogs of findings, scripts, the support page and the
 * CLI: a non-breaking space (never a plain one) before : ; ? ! % and inside « ».
 */
import { describe, expect, it } from 'vitest';
import { cliCatalog } from '../../controller/cli/cli-catalog.js';
import { supportPageCatalog } from '../../controller/server/http/support-page-catalog.js';
import { scriptsCatalog } from '../../controller/server/store/scripts-catalog.js';
import { connectionChecksCatalog } from '../../protocol/connection-checks-catalog.js';
import { healthChecksCatalog } from '../../protocol/health-checks-catalog.js';
import { printerChecksCatalog } from '../../protocol/printer-checks-catalog.js';
import { securityChecksCatalog } from '../../protocol/security-checks-catalog.js';
import { snapshotDiffCatalog } from '../../protocol/snapshot-diff-catalog.js';

const CATALOGS = {
  cliCatalog, supportPageCatalog, scriptsCatalog, connectionChecksCatalog, healthChecksCatalog, printerChecksCatalog, securityChecksCatalog, snapshotDiffCatalog,
};

describe('French typography', () => {
  it('no plain space before : ; ? ! % or inside « », and none missing', () => {
    const problems: string[] = [];
    for (const [name, catalog] of Object.entries(CATALOGS)) {
      for (const [key, text] of Object.entries(catalog.fr as Record<string, string>)) {
        // URLs (http://) and shell snippets are not French prose.
        const prose = text.replace(/[a-z]+:\/\/\S*/g, '').replace(/<[^>]*>/g, '');
        if (/ [:;?!%]|« | »|[^\s\u00a0\u202f][;?!%]|[^\s\u00a0\u202f0-9a-z]:|«[^\u00a0]|[^\u00a0]»/.test(prose)) problems.push(`${name}.${key}: ${text.slice(0, 80)}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
