/**
 * Migrations are written once, with SQLite's column types, and this plugin gives them
 * their PostgreSQL meaning while they run there. SQLite's `integer` is a 64-bit whole
 * number and our times are milliseconds since the epoch (past 2^31), so `integer` is
 * `bigint`; `blob` is `bytea`; an `integer primary key autoincrement` id is a `bigint`
 * identity. `text` compares and sorts by code point, as SQLite's BINARY does (`collate "C"`):
 * keyset pages, sort labels and the word index's prefix ranges (`word >= 'imp' AND word <
 * 'imq'`) mean the same on both engines whatever the database's locale. Only schema statements are touched (the migrations' queries pass through),
 * and only on PostgreSQL: SQLite runs the migrations exactly as written, so an existing
 * SQLite database and a fresh one keep the same schema.
 */
import {
  ColumnDefinitionNode, CreateTableNode, AlterTableNode, DataTypeNode, GeneratedNode, OperationNodeTransformer,
  sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow,
} from 'kysely';

const BINARY_TEXT = sql`text collate "C"`.toOperationNode();
const TYPES: Readonly<Record<string, DataTypeNode['dataType']>> = { integer: 'bigint', blob: 'bytea' };

class PostgresTypes extends OperationNodeTransformer {
  protected override transformDataType(node: DataTypeNode): DataTypeNode {
    const type = TYPES[node.dataType];
    return type ? DataTypeNode.create(type) : node;
  }

  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const column = super.transformColumnDefinition(node);
    if (DataTypeNode.is(column.dataType) && column.dataType.dataType === 'text') return Object.freeze({ ...column, dataType: BINARY_TEXT });
    if (!column.autoIncrement) return column;
    // An explicit id (an import, a test) is still accepted: by default, not always.
    return ColumnDefinitionNode.cloneWith(column, { autoIncrement: false, generated: GeneratedNode.create({ identity: true, byDefault: true }) });
  }
}

export class PostgresSchemaPlugin implements KyselyPlugin {
  private readonly types = new PostgresTypes();

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    return CreateTableNode.is(node) || AlterTableNode.is(node) ? this.types.transformNode(node) : node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}
