/**
 * The unattended policy file (`policy.json` in the state folder), written at
 * enrollment by whoever administers the machine and read only here. The
 * controller can see what it says (the agent reports it) but nothing it sends
 * can change it. An unreadable or invalid file allows nothing.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { policyFile, type UnattendedPolicy } from '../../protocol/index.js';
import { agentWords } from '../cli/agent-language.js';
import { managedCatalog } from '../managed/managed-catalog.js';

const words = agentWords(managedCatalog);

export type PolicyAction = keyof UnattendedPolicy;
export type PolicyRead = { readonly ok: true; readonly policy: UnattendedPolicy } | { readonly ok: false; readonly message: string };

/** Reads and validates the policy file. */
export function readPolicyFile(path: string): PolicyRead {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? words('policyMissing', { path }) : words('policyUnreadable', { path, error: error instanceof Error ? error.message : String(error) }) };
  }
  const parsed = policyFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const expected = '{"version":1,"script":"allow|ask|deny","shell":"allow|ask|deny","files":"allow|ask|deny"}';
    return { ok: false, message: words('policyInvalid', { path, where: issue?.path.join('.') || words('policyTopLevel'), issue: issue?.message ?? '', expected }) };
  }
  // No `files` entry (a file written before file transfers existed) means ask.
  return { ok: true, policy: { script: parsed.data.script, shell: parsed.data.shell, files: parsed.data.files ?? 'ask' } };
}

/** Writes the policy file whole (a reader never sees half of it): readable by all, writable by its owner. */
export function writePolicyFile(path: string, policy: UnattendedPolicy): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify({ version: 1, script: policy.script, shell: policy.shell, files: policy.files ?? 'ask' }, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

/**
 * What the policy decides for an action right now: go ahead, ask the person
 * (only when one is at a terminal), or refuse. With nobody to ask, `ask` is no.
 */
export function policyVerdict(policy: UnattendedPolicy, action: PolicyAction, personAtTerminal: boolean): 'allow' | 'ask-person' | 'refuse' {
  const rule = policy[action] ?? 'ask';
  if (rule === 'allow') return 'allow';
  if (rule === 'ask' && personAtTerminal) return 'ask-person';
  return 'refuse';
}
