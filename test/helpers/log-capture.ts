/** A real controller logger (pino, the same redaction) writing to memory, for unit tests that read what was logged. */
import { createLogger, NodeName, type Log, type LogLevel } from '../../controller/server/observability/logger.js';

export interface CapturedLog {
  readonly log: Log;
  /** Every line written so far, as text. */
  text(): string;
  /** Every line written so far, parsed. */
  records(): Array<Record<string, any>>;
}

export function captureLog(level: LogLevel = 'trace', node: NodeName = new NodeName('test-node:1')): CapturedLog {
  const lines: string[] = [];
  const log = createLogger({ level, node, destination: { write: (line: string) => void lines.push(line) } });
  return {
    log,
    text: () => lines.join(''),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
  };
}
