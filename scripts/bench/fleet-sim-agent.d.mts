/** Types of fleet-sim-agent.mjs for the TypeScript tests (test/integration/agent-admission-storm.test.ts). */
import type { KeyObject } from 'node:crypto';

export declare function backoffDelay(attempt: number): number;

export interface SimAgentEvents {
  online(agent: SimAgent): void;
  offline(agent: SimAgent): void;
  result(agent: SimAgent, jobId: string): void;
  acked(agent: SimAgent, jobId: string): void;
  refused(agent: SimAgent, code: string): void;
}

export declare class SimAgent {
  constructor(
    identity: { deviceId: string; origin: string; privateKey: KeyObject; hostname: string },
    options: { wsUrl: string; localAddress?: string; events: SimAgentEvents },
  );
  readonly online: boolean;
  start(): void;
  stop(): void;
}
