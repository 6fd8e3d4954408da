/**
 * Reads an asciicast v2 recording back (for playback and download): the header line,
 * then one event per line, each checked with zod. A last line cut short by a crash
 * (no final line feed, not valid) is dropped and reported as `truncatedTail`; anything
 * else that does not parse refuses the file with RECORDING_ERR_INVALID.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { RelaisError } from '../../../protocol/index.js';

export const asciicastHeader = z.looseObject({
  version: z.literal(2),
  width: z.number().int().min(1).max(10_000),
  height: z.number().int().min(1).max(10_000),
  timestamp: z.number().int().min(0).optional(),
  duration: z.number().min(0).optional(),
  idle_time_limit: z.number().min(0).optional(),
  command: z.string().optional(),
  title: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
});
export type AsciicastHeader = z.infer<typeof asciicastHeader>;

const RESIZE = /^\d{1,5}x\d{1,5}$/;

export const asciicastEvent = z
  .tuple([z.number().min(0).finite(), z.enum(['o', 'i', 'r', 'm']), z.string()])
  .refine(([, kind, data]) => kind !== 'r' || RESIZE.test(data), 'a resize event carries COLSxROWS');
export type AsciicastEvent = z.infer<typeof asciicastEvent>;

export interface Asciicast {
  readonly header: AsciicastHeader;
  readonly events: AsciicastEvent[];
  /** The last line was cut short (the recording's writer stopped mid-line) and was left out. */
  readonly truncatedTail: boolean;
}

function parseLine<T>(schema: z.ZodType<T>, line: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Builds a recording line by line; `end` says whether the text ended with a line feed. */
class CastParser {
  private header: AsciicastHeader | undefined;
  private readonly events: AsciicastEvent[] = [];
  private lineNumber = 0;
  private failedLine: number | null = null;

  line(line: string): void {
    this.lineNumber += 1;
    if (this.failedLine !== null) throw invalid(this.failedLine);
    if (line.trim() === '') return;
    if (this.header === undefined) {
      this.header = parseLine(asciicastHeader, line);
      if (this.header === undefined) throw invalid(this.lineNumber);
      return;
    }
    const event = parseLine(asciicastEvent, line);
    if (event === undefined) this.failedLine = this.lineNumber; // fatal unless it is the last line
    else this.events.push(event);
  }

  end(endsWithNewline: boolean): Asciicast {
    if (this.header === undefined) throw invalid(1);
    if (this.failedLine !== null && (endsWithNewline || this.failedLine !== this.lineNumber)) throw invalid(this.failedLine);
    return { header: this.header, events: this.events, truncatedTail: this.failedLine !== null };
  }
}

function invalid(line: number): RelaisError {
  return new RelaisError('RECORDING_ERR_INVALID', `(line ${line})`); // i18n-ignore: line number for the log
}

/** Parses a whole recording held in memory. */
export function parseAsciicast(text: string): Asciicast {
  const parser = new CastParser();
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  for (const line of lines) parser.line(line.endsWith('\r') ? line.slice(0, -1) : line);
  return parser.end(endsWithNewline);
}

/** Reads a .cast file line by line (it is never held whole as one string). */
export async function readAsciicastFile(path: string): Promise<Asciicast> {
  const parser = new CastParser();
  let lastChar = '';
  const stream = createReadStream(path, { encoding: 'utf8' });
  stream.on('data', (chunk) => {
    if (chunk.length > 0) lastChar = chunk[chunk.length - 1] as string;
  });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) parser.line(line);
  } finally {
    lines.close();
    stream.destroy();
  }
  return parser.end(lastChar === '\n' || lastChar === '');
}
