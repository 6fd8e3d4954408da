/**
 * An asciicast v2 recording read in the browser for playback: the header line, then one
 * event per line, each shape checked. A last line cut short (no final line feed, not
 * valid) is left out and reported; anything else that does not parse refuses the file.
 * Times are replayed on a "played" clock where no pause between two events lasts more
 * than the idle limit (like asciinema's idle_time_limit), so a shell left open while the
 * technician read something does not play as minutes of nothing.
 */
import { z } from 'zod';

/** Longest pause between two events, in seconds, when the recording states no shorter one. */
export const IDLE_LIMIT_S = 2;

const header = z.looseObject({
  version: z.literal(2),
  width: z.number().int().min(1).max(10_000),
  height: z.number().int().min(1).max(10_000),
  idle_time_limit: z.number().positive().optional(),
});

const RESIZE = /^(\d{1,5})x(\d{1,5})$/;
const event = z.tuple([z.number().min(0).finite(), z.enum(['o', 'i', 'r', 'm']), z.string()]);

/** What playback does at one moment: print text, or change the terminal's size. */
export type CastStep = { at: number; kind: 'output'; data: string } | { at: number; kind: 'resize'; cols: number; rows: number };

export interface CastTimeline {
  readonly width: number;
  readonly height: number;
  /** Output and resizes in order; `at` is on the played clock (idle gaps capped), in seconds. */
  readonly steps: readonly CastStep[];
  /** The played length in seconds. */
  readonly duration: number;
  /** The idle limit applied, in seconds. */
  readonly idleLimit: number;
  /** The last line was cut short and was left out. */
  readonly cutTail: boolean;
}

/** The recording is not asciicast v2 (or is damaged); `line` is where reading stopped. */
export class CastError extends Error {
  constructor(readonly line: number) {
    super(`not an asciicast v2 recording (line ${line})`); // i18n-ignore: developer detail; people read RECORDING_ERR_INVALID's words
    this.name = 'CastError';
  }
}

function json(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Reads a whole recording's text into playable steps; throws CastError when it is not asciicast v2. */
export function readCast(text: string): CastTimeline {
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  let head: z.infer<typeof header> | undefined;
  const steps: CastStep[] = [];
  let cutTail = false;
  let idleLimit = IDLE_LIMIT_S;
  let lastRaw = 0;
  let played = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (head === undefined) {
      const parsed = header.safeParse(json(line));
      if (!parsed.success) throw new CastError(i + 1);
      head = parsed.data;
      if (head.idle_time_limit !== undefined) idleLimit = Math.min(idleLimit, head.idle_time_limit);
      continue;
    }
    const parsed = event.safeParse(json(line));
    const resize = parsed.success && parsed.data[1] === 'r' ? RESIZE.exec(parsed.data[2]) : null;
    if (!parsed.success || (parsed.data[1] === 'r' && !resize)) {
      if (i === lines.length - 1 && !endsWithNewline) {
        cutTail = true;
        break;
      }
      throw new CastError(i + 1);
    }
    const [time, kind, data] = parsed.data;
    played += Math.min(Math.max(0, time - lastRaw), idleLimit);
    lastRaw = Math.max(lastRaw, time);
    if (kind === 'o') steps.push({ at: played, kind: 'output', data });
    else if (kind === 'r' && resize) {
      steps.push({ at: played, kind: 'resize', cols: Math.min(10_000, Math.max(1, Number(resize[1]))), rows: Math.min(10_000, Math.max(1, Number(resize[2]))) });
    }
    // 'i' (keystrokes, never recorded by Relais) and 'm' (markers) play as nothing.
  }
  if (head === undefined) throw new CastError(1);
  return { width: head.width, height: head.height, steps, duration: played, idleLimit, cutTail };
}

/** The index of the first step after `time` on the played clock (steps at or before it are due). */
export function stepsDue(timeline: CastTimeline, from: number, time: number): number {
  let i = from;
  while (i < timeline.steps.length && (timeline.steps[i] as CastStep).at <= time) i++;
  return i;
}
