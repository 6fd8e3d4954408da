/** Health checks for mail servers that do not answer, and a connection that loses packets or wavers. */
import type { Finding, HealthCheck } from './findings.js';
import { fitText } from './text.js';

export const mailServers: HealthCheck = (s) =>
  (s.mail?.servers ?? []).flatMap((m): Finding[] => {
    const where = fitText(`${m.host}:${m.port}`, 120);
    const what = m.role === 'incoming' ? 'receive' : 'send';
    if (!m.resolved) {
      return [{
        id: `mail.server-unresolved:${m.host}`,
        severity: 'warning',
        title: `The mail server ${fitText(m.host, 120)} cannot be found`,
        explanation: `${fitText(m.client, 40)} is set to ${what} mail through this server, but this computer cannot look up its address, so mail cannot be ${what === 'receive' ? 'received' : 'sent'}.`,
        evidence: [{ label: `${m.client} (${m.role})`.slice(0, 80), value: where }, { label: 'Error', value: fitText(m.error ?? 'no address', 200) }],
        nextStep: 'Check the network and DNS; if only this name fails, check the server name in the account settings, or the VPN.',
      }];
    }
    if (m.reachable === false) {
      return [{
        id: `mail.server-unreachable:${m.host}:${m.port}`,
        severity: 'warning',
        title: `The mail server ${fitText(m.host, 120)} does not answer`,
        explanation: `${fitText(m.client, 40)} ${what}s mail through this server; its address is known but nothing answers on port ${m.port}: a firewall, a proxy or the server itself is in the way.`,
        evidence: [{ label: `${m.client} (${m.role})`.slice(0, 80), value: where }, { label: 'Error', value: fitText(m.error ?? 'no answer', 200) }],
        nextStep: 'Check whether webmail works; if it does, check the firewall, antivirus mail shield or proxy on this computer.',
      }];
    }
    return [];
  });

export const connectionQuality: HealthCheck = (s, t) =>
  (s.connectivity?.targets ?? []).flatMap((target): Finding[] => {
    const who = target.role === 'gateway' ? 'the local router (gateway)' : 'the support server';
    // A gateway that answers nothing usually just drops such probes: that is not loss.
    if (target.sent === 0 || (target.role === 'gateway' && target.answered === 0)) return [];
    const findings: Finding[] = [];
    const lossLevel = target.lossPercent >= t.packetLossCriticalPercent ? 'critical' : target.lossPercent >= t.packetLossWarnPercent ? 'warning' : null;
    const series = { label: 'Answers', value: `${target.answered} of ${target.sent} over ${Math.round((target.sent * s.connectivity!.intervalMs) / 100) / 10} s` };
    if (lossLevel) {
      findings.push({
        id: `network.packet-loss:${target.role}`,
        severity: lossLevel,
        title: `The connection to ${who} drops (${Math.round(target.lossPercent)} % lost)`,
        explanation: target.role === 'gateway'
          ? 'Some attempts to reach the local router got no answer: the link between this computer and its network (Wi-Fi signal, cable, adapter) is unstable, so connections stall or drop.'
          : 'Some attempts to reach the support server got no answer: somewhere between this computer and the server, the connection is unstable.',
        evidence: [{ ...series, threshold: `warning ${t.packetLossWarnPercent} %, critical ${t.packetLossCriticalPercent} %` }, { label: 'Target', value: fitText(`${target.host} port ${target.ports.join('/')}`, 200) }],
        nextStep: target.role === 'gateway'
          ? 'Move closer to the Wi-Fi access point or try a cable; restart the router if several people are affected.'
          : 'Compare with the gateway: if the router answers well, the problem is further away (internet provider, VPN).',
      });
    }
    // What the computer's own busyness adds to round trips is not the network's doing.
    const local = s.connectivity!.localDelayMs ?? 0;
    if (target.jitterMs !== null && target.answered >= 3 && target.jitterMs - local >= t.jitterWarnMs) {
      findings.push({
        id: `network.jitter:${target.role}`,
        severity: 'warning',
        title: `The connection to ${who} is irregular`,
        explanation: 'Round trips vary a lot from one moment to the next: calls and remote sessions stutter even when pages still load.',
        evidence: [
          { label: 'Jitter', value: `${Math.round(target.jitterMs)} ms (round trips ${Math.round(target.rttMinMs ?? 0)}–${Math.round(target.rttMaxMs ?? 0)} ms)`, threshold: `${t.jitterWarnMs} ms beyond this computer's own delay` },
          { label: "This computer's own delay", value: `${Math.round(local)} ms` },
        ],
        nextStep: 'Look for heavy downloads or a weak Wi-Fi signal; a cable usually settles it.',
      });
    }
    return findings;
  });

export const CONNECTION_CHECKS: readonly HealthCheck[] = [mailServers, connectionQuality];
