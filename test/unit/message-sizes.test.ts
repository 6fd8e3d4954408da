/**
 * Every control message the controller builds fits the protocol's JSON limit by
 * construction: its worst case, computed from the field limits alone (in encoded
 * bytes), is under LIMITS.maxJsonBytes. Issue 8 point 0: a device.summary just under
 * the limit, its text full of escaped lone surrogates, became a device.update over it.
 */
import { describe, expect, it } from 'vitest';
import {
  LIMITS, agentToController, controllerToAgent, controllerToConsole, decodeControl, deviceListItem, deviceSummary, deviceView, encodeControl, jobParams,
  listItemOf, scriptBody, text, type DeviceView,
} from '../../protocol/index.js';
import { worstCaseJsonBytes } from '../helpers/worst-case-json.js';

/**
 * Messages whose size grows with the data. Issue 8 point 1 bounded the last ones (the
 * device list is paged over REST and the socket carries one row per change, a diagnostics
 * push is a notice, job.update a summary): none is left, and none may come back.
 */
const GROWS_WITH_DATA = new Set<string>();

const typeOf = (option: { shape: { t: { value: unknown } } }) => String(option.shape.t.value);

describe('messages the controller builds fit by construction', () => {
  it.each([
    ['controller → agent', controllerToAgent.options],
    ['controller → console', controllerToConsole.options],
  ] as const)('%s: every message type, at its worst, is under the JSON limit', (_direction, options) => {
    for (const option of options) {
      const type = typeOf(option);
      const worst = worstCaseJsonBytes(option);
      if (GROWS_WITH_DATA.has(type)) expect(worst, `${type} is bounded now: take it off GROWS_WITH_DATA`).toBeGreaterThan(LIMITS.maxJsonBytes);
      else expect(worst, `${type} can reach ${worst} bytes`).toBeLessThanOrEqual(LIMITS.maxJsonBytes);
    }
  });

  it('device.update, a row made from the largest valid summary, fits with the device fields around it', () => {
    const worst = worstCaseJsonBytes(deviceListItem);
    expect(worst).toBeLessThan(LIMITS.maxJsonBytes / 8);
    // The bound is real: a device at every limit, each character three bytes of UTF-8, measures under it.
    const fill = (n: number) => '€'.repeat(n);
    const summary = {
      hostname: fill(255), user: fill(128),
      os: { platform: fill(32), distro: fill(128), release: fill(64), kernel: fill(128), arch: fill(32) },
      cpu: { brand: fill(160), cores: 4096 },
      memory: { totalBytes: 1.2345678901234567e-123, availableBytes: 0.0000012345678901234567 },
      disks: Array.from({ length: 64 }, () => ({ mount: fill(255), fs: fill(64), sizeBytes: 1.7976931348623157e308, usedBytes: 1.7976931348623157e308 })),
      addresses: Array.from({ length: 64 }, () => ({ iface: fill(64), address: fill(64), family: 'IPv6' as const })),
      uptimeSeconds: 1.7976931348623157e308, agentVersion: fill(32),
    };
    expect(deviceSummary.safeParse(summary).success).toBe(true);
    const device: DeviceView = {
      id: 'd'.repeat(64), sessionId: 's'.repeat(64), hostname: fill(255), online: true, lastSeen: Number.MAX_SAFE_INTEGER, connectedAt: Number.MAX_SAFE_INTEGER,
      technician: { username: fill(64), name: fill(128) }, sessionStatus: 'active', summary, worstSeverity: 'critical', findingCount: Number.MAX_SAFE_INTEGER,
      kind: 'attended', name: fill(128), group: fill(64), tags: Array.from({ length: 32 }, () => 't'.repeat(64)), policy: { script: 'allow', shell: 'allow' }, revoked: false,
    };
    expect(deviceView.safeParse(device).success).toBe(true);
    const size = new TextEncoder().encode(encodeControl({ t: 'device.update', device: listItemOf(device) })).byteLength;
    expect(size).toBeLessThanOrEqual(worstCaseJsonBytes(controllerToConsole.options.find((o) => typeOf(o) === 'device.update')!));
  });

  it('the original crash: a summary just under the limit, full of escaped lone surrogates, is refused on arrival', () => {
    // 6 bytes of JSON each, 1 character for the old limits: about 21,000 of them fit under 128 KiB.
    const lone = '\\ud800';
    const field = (chars: number) => lone.repeat(chars);
    const disk = `{"mount":"${field(255)}","fs":"${field(64)}","sizeBytes":1,"usedBytes":1}`;
    const message = (count: number) =>
      `{"t":"device.summary","summary":{"hostname":"${field(255)}","user":"${field(128)}","os":{"platform":"linux","distro":"d","release":"r","kernel":"k","arch":"x"},` +
      `"cpu":{"brand":"c","cores":1},"memory":{"totalBytes":1,"availableBytes":1},"disks":[${Array(count).fill(disk).join(',')}],"addresses":[],"uptimeSeconds":1,"agentVersion":"1"}}`;
    let count = 0;
    while (message(count + 1).length < LIMITS.maxJsonBytes) count++;
    const raw = message(count);
    expect(raw.length).toBeLessThan(LIMITS.maxJsonBytes);
    expect(raw.length).toBeGreaterThan(LIMITS.maxJsonBytes - disk.length - 1);
    expect(decodeControl(agentToController, raw)).toMatchObject({ ok: false, code: 'PROTO_ERR_INVALID_MESSAGE' });
  });
});

describe('text fields are limited in encoded bytes as well as characters', () => {
  it('a lone surrogate is not text; a surrogate pair is', () => {
    expect(text(10).safeParse('a\ud800b').success).toBe(false);
    expect(text(10).safeParse('a\udc00').success).toBe(false);
    expect(text(10).safeParse('\udc00\ud800').success).toBe(false);
    expect(text(10).safeParse('a😀b').success).toBe(true);
  });

  it('a field refuses one byte over its byte limit, and takes exactly the limit', () => {
    const field = text(100, 12);
    expect(field.safeParse('é'.repeat(6)).success).toBe(true); // 12 bytes
    expect(field.safeParse('é'.repeat(6) + 'a').success).toBe(false); // 13
    expect(field.safeParse('"'.repeat(6)).success).toBe(true); // \" is 2 bytes of JSON
    expect(field.safeParse('"'.repeat(6) + 'a').success).toBe(false);
  });

  it('script bodies and job parameters are limited in JSON bytes, so job.run always fits', () => {
    expect(scriptBody.safeParse('\u0001'.repeat(LIMITS.maxScriptBodyBytes / 6)).success).toBe(true);
    expect(scriptBody.safeParse('\u0001'.repeat(LIMITS.maxScriptBodyBytes / 6 + 1)).success).toBe(false);
    const params = Object.fromEntries(Array.from({ length: LIMITS.maxJobParams }, (_, i) => [`P${i}`, 'v'.repeat(LIMITS.maxJobParamBytes)]));
    expect(jobParams.safeParse(params).success).toBe(false);
    expect(jobParams.safeParse({ P: 'v'.repeat(LIMITS.maxJobParamBytes) }).success).toBe(true);
  });
});
