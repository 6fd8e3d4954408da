/** Health checks for mail servers that do not answer, and a connection that loses packets or wavers. */
import type { Finding, HealthCheck } from './findings.js';
import { fitText } from './text.js';
import { wordsOf } from './check-words.js';
import { connectionChecksCatalog } from './connection-checks-catalog.js';
import { formatNumber } from './i18n/format.js';

const words = wordsOf(connectionChecksCatalog);

export const mailServers: HealthCheck = (s, _t, lang) =>
  (s.mail?.servers ?? []).flatMap((m): Finding[] => {
    const w = words(lang);
    const where = fitText(`${m.host}:${m.port}`, 120);
    const client = { label: fitText(w('mailClientLabel', { client: m.client, role: m.role }), 80), value: where };
    if (!m.resolved) {
      return [{
        id: `mail.server-unresolved:${m.host}`,
        severity: 'warning',
        title: w('mailUnresolvedTitle', { host: fitText(m.host, 120) }),
        explanation: w('mailUnresolvedExplanation', { client: fitText(m.client, 40), role: m.role }),
        evidence: [client, { label: w('labelError'), value: fitText(m.error ?? w('noAddress'), 200) }],
        nextStep: w('mailUnresolvedNextStep'),
      }];
    }
    if (m.reachable === false) {
      return [{
        id: `mail.server-unreachable:${m.host}:${m.port}`,
        severity: 'warning',
        title: w('mailUnreachableTitle', { host: fitText(m.host, 120) }),
        explanation: w('mailUnreachableExplanation', { client: fitText(m.client, 40), role: m.role, port: String(m.port) }),
        evidence: [client, { label: w('labelError'), value: fitText(m.error ?? w('noAnswer'), 200) }],
        nextStep: w('mailUnreachableNextStep'),
      }];
    }
    return [];
  });

export const connectionQuality: HealthCheck = (s, t, lang) =>
  (s.connectivity?.targets ?? []).flatMap((target): Finding[] => {
    // A gateway that answers nothing usually just drops such probes: that is not loss.
    if (target.sent === 0 || (target.role === 'gateway' && target.answered === 0)) return [];
    const w = words(lang);
    const ms = (n: number) => formatNumber(n, lang, 0);
    const findings: Finding[] = [];
    const lossLevel = target.lossPercent >= t.packetLossCriticalPercent ? 'critical' : target.lossPercent >= t.packetLossWarnPercent ? 'warning' : null;
    const series = {
      label: w('labelAnswers'),
      value: w('answersValue', { answered: formatNumber(target.answered, lang, 0), sent: formatNumber(target.sent, lang, 0), seconds: formatNumber((target.sent * s.connectivity!.intervalMs) / 1000, lang, 1) }),
    };
    if (lossLevel) {
      findings.push({
        id: `network.packet-loss:${target.role}`,
        severity: lossLevel,
        title: w('lossTitle', { role: target.role, percent: formatNumber(target.lossPercent, lang, 0) }),
        explanation: w('lossExplanation', { role: target.role }),
        evidence: [
          { ...series, threshold: w('lossThreshold', { warn: formatNumber(t.packetLossWarnPercent, lang), critical: formatNumber(t.packetLossCriticalPercent, lang) }) },
          { label: w('labelTarget'), value: fitText(w('targetValue', { host: target.host, ports: target.ports.join('/') }), 200) },
        ],
        nextStep: w('lossNextStep', { role: target.role }),
      });
    }
    // What the computer's own busyness adds to round trips is not the network's doing.
    const local = s.connectivity!.localDelayMs ?? 0;
    if (target.jitterMs !== null && target.answered >= 3 && target.jitterMs - local >= t.jitterWarnMs) {
      findings.push({
        id: `network.jitter:${target.role}`,
        severity: 'warning',
        title: w('jitterTitle', { role: target.role }),
        explanation: w('jitterExplanation'),
        evidence: [
          {
            label: w('labelJitter'),
            value: w('jitterValue', { jitter: ms(target.jitterMs), min: ms(target.rttMinMs ?? 0), max: ms(target.rttMaxMs ?? 0) }),
            threshold: w('jitterThreshold', { value: ms(t.jitterWarnMs) }),
          },
          { label: w('labelOwnDelay'), value: w('milliseconds', { value: ms(local) }) },
        ],
        nextStep: w('jitterNextStep'),
      });
    }
    return findings;
  });

export const CONNECTION_CHECKS: readonly HealthCheck[] = [mailServers, connectionQuality];
