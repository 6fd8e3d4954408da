/**
 * The platforms the agent is built for as a single executable, and the name each file
 * has: in the build (dist/agents/), on the controller's download route, and on the
 * person's disk.
 */
export const AGENT_PLATFORMS = Object.freeze(['win-x64', 'darwin-arm64', 'darwin-x64', 'linux-x64'] as const);
export type AgentPlatform = (typeof AGENT_PLATFORMS)[number];

export function isAgentPlatform(value: unknown): value is AgentPlatform {
  return typeof value === 'string' && (AGENT_PLATFORMS as readonly string[]).includes(value);
}

/** The executable's file name: `relais-agent-win-x64.exe`, `relais-agent-darwin-arm64`, ... */
export function agentFileName(platform: AgentPlatform): string {
  return `relais-agent-${platform}${platform.startsWith('win-') ? '.exe' : ''}`;
}
