/** The script library in the store: starter scripts (seeded, built-in) and the team's own. */
import { RelaisError, scriptParameter, type Script, type ScriptInput, scriptInput } from '../../../protocol/index.js';
import { z } from 'zod';
import { newId } from '../auth/tokens.js';
import type { Db } from '../store/database.js';
import type { ScriptsTable } from '../store/schema.js';

type ValidScriptInput = z.output<typeof scriptInput>;

export class ScriptLibrary {
  constructor(private readonly db: Db) {}

  async list(): Promise<Script[]> {
    const rows = await this.db.selectFrom('scripts').selectAll().orderBy('name').execute();
    return rows.map(toScript);
  }

  async byId(id: string): Promise<Script | null> {
    const row = await this.db.selectFrom('scripts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toScript(row) : null;
  }

  async byName(name: string): Promise<Script | null> {
    const row = await this.db.selectFrom('scripts').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toScript(row) : null;
  }

  async create(input: ValidScriptInput): Promise<Script> {
    if (await this.byName(input.name)) throw new RelaisError('SCRIPT_ERR_NAME_TAKEN');
    const now = Date.now();
    const row: ScriptsTable = { id: newId(), ...columns(input), built_in: 0, created_at: now, updated_at: now };
    await this.db.insertInto('scripts').values(row).execute();
    return toScript(row);
  }

  /** Replaces a script's fields (built-in ones too: a team may adapt a starter fix). Jobs keep the body they ran. */
  async update(id: string, input: ValidScriptInput): Promise<Script> {
    const existing = await this.byId(id);
    if (!existing) throw new RelaisError('SCRIPT_ERR_NOT_FOUND');
    const clash = await this.byName(input.name);
    if (clash && clash.id !== id) throw new RelaisError('SCRIPT_ERR_NAME_TAKEN');
    await this.db.updateTable('scripts').set({ ...columns(input), updated_at: Date.now() }).where('id', '=', id).execute();
    return (await this.byId(id))!;
  }

  async remove(id: string): Promise<Script> {
    const existing = await this.byId(id);
    if (!existing) throw new RelaisError('SCRIPT_ERR_NOT_FOUND');
    if (existing.builtIn) throw new RelaisError('SCRIPT_ERR_BUILT_IN');
    await this.db.deleteFrom('scripts').where('id', '=', id).execute();
    return existing;
  }
}

export type { ScriptInput };

function columns(input: ValidScriptInput) {
  return {
    name: input.name,
    title: input.title,
    description: input.description,
    interpreter: input.interpreter,
    body: input.body,
    parameters_json: JSON.stringify(input.parameters),
    timeout_seconds: input.timeoutSeconds,
  };
}

function toScript(row: ScriptsTable): Script {
  const parameters = z.array(scriptParameter).safeParse(JSON.parse(row.parameters_json));
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    description: row.description,
    interpreter: row.interpreter,
    body: row.body,
    parameters: parameters.success ? parameters.data : [],
    timeoutSeconds: row.timeout_seconds,
    builtIn: row.built_in === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
