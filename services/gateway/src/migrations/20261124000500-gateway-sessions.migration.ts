import { Migration } from '@mikro-orm/migrations';

export class GatewaySessionsMigration20261124000500 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE gateway_sessions (
        bot_id uuid NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, key)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE gateway_sessions');
  }
}

/** The gateway's session table, in the form `ServiceDefinition.migrations` takes. */
export const gatewaySessionsMigration = {
  name: 'Migration20261124000500_gateway_sessions',
  class: GatewaySessionsMigration20261124000500,
} as const;
