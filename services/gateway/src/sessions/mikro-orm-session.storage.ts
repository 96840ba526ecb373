import type { MikroORM } from '@mikro-orm/postgresql';
import type { StorageAdapter } from 'grammy';
import type { GatewaySession } from '../bot/bot-context.js';
import { GatewaySessionRecord } from './gateway-session.entity.js';

/**
 * grammY session storage in the gateway's `gateway_sessions` table. One instance per hosted bot: the
 * bot id is part of every row's key, so two bots talking to the same chat never share a session.
 * Each call works on a fresh entity manager, so nothing is cached between updates.
 */
export class MikroOrmSessionStorage implements StorageAdapter<GatewaySession> {
  constructor(
    private readonly orm: MikroORM,
    readonly botId: string,
  ) {}

  async read(key: string): Promise<GatewaySession | undefined> {
    const record = await this.orm.em.fork().findOne(GatewaySessionRecord, { botId: this.botId, key });
    return record?.value;
  }

  async write(key: string, value: GatewaySession): Promise<void> {
    await this.orm.em.fork().upsert(GatewaySessionRecord, { botId: this.botId, key, value, updatedAt: new Date() });
  }

  async delete(key: string): Promise<void> {
    await this.orm.em.fork().nativeDelete(GatewaySessionRecord, { botId: this.botId, key });
  }
}
