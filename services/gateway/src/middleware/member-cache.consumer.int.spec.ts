import { EmbeddedEventBus, busMigrations, type RunningConsumer, type RunningProducer } from '@botplatform/bus';
import {
  IdentityProfileChangedSchema,
  MemberRole,
  MemberRoleChangedSchema,
  MemberStatus,
  MemberStatusChangedSchema,
  timestampFromDate,
  type MemberViewJson,
} from '@botplatform/contracts';
import { PostgresEventStore, createServiceOrm, eventStoreMigrations, type EventContext } from '@botplatform/event-store';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { MemberCache, type MemberProfile } from './member-cache.js';
import { memberCacheConsumer } from './member-cache.consumer.js';

const BOT_A = '11111111-1111-4111-8111-111111111111';
const BOT_B = '22222222-2222-4222-8222-222222222222';
const profile: MemberProfile = { firstName: 'Ann', isPremium: false };
const member = (botId: string, telegramUserId: number): MemberViewJson => ({ botId, telegramUserId: String(telegramUserId), firstName: 'Ann' });

/** The users service's side, reduced to the public events the consumer reads. */
type StoredEvent =
  | { type: 'Blocked'; data: { telegramUserId: number } }
  | { type: 'AdminApproved'; data: { telegramUserId: number } }
  | { type: 'ProfileChanged'; data: { telegramUserId: number } };

describe('memberCacheConsumer on the embedded bus', () => {
  let database: TestDatabase;
  let usersOrm: MikroORM;
  let gatewayOrm: MikroORM;
  let store: PostgresEventStore;
  const bus = new EmbeddedEventBus({ pollIntervalMs: 20 });
  let producer: RunningProducer;
  let consumer: RunningConsumer;
  const cache = new MemberCache();

  const append = (botId: string, event: StoredEvent) => {
    const context: EventContext = { botId, correlationId: randomUUID(), causationId: null, actor: { kind: 'system', id: 'test' }, occurredAt: new Date() };
    return store.append(`membership-${botId}-${event.data.telegramUserId}`, 'any', [event], context);
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_gateway_member_cache');
    usersOrm = await createServiceOrm({ clientUrl: database.url, schema: 'users', migrations: eventStoreMigrations });
    gatewayOrm = await createServiceOrm({ clientUrl: database.url, schema: 'gateway', migrations: busMigrations });
    store = new PostgresEventStore(usersOrm.em, { schema: 'users' });
    producer = await bus.publishFrom({
      service: 'users',
      store,
      toPublic: (event) => {
        const { botId, occurredAt } = event.metadata;
        const telegramUserId = BigInt((event.data as { telegramUserId: number }).telegramUserId);
        const common = { botId, userId: randomUUID(), telegramUserId };
        switch (event.type) {
          case 'Blocked':
            return {
              schema: MemberStatusChangedSchema,
              message: {
                ...common,
                status: MemberStatus.BLOCKED_BY_ADMIN,
                previousStatus: MemberStatus.ACTIVE,
                reason: 'spam',
                changedBy: 'api:ops',
                changedAt: timestampFromDate(occurredAt),
              },
            };
          case 'AdminApproved':
            return {
              schema: MemberRoleChangedSchema,
              message: { ...common, role: MemberRole.ADMIN, previousRole: MemberRole.USER, changedBy: 'telegram:1', changedAt: timestampFromDate(occurredAt) },
            };
          case 'ProfileChanged':
            return {
              schema: IdentityProfileChangedSchema,
              message: { ...common, firstName: 'Anna', isPremium: false, changedAt: timestampFromDate(occurredAt) },
            };
          default:
            return null;
        }
      },
    });
    consumer = await bus.consume(memberCacheConsumer(cache), gatewayOrm);
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer?.stop();
    await bus.close();
    await usersOrm?.close(true);
    await gatewayOrm?.close(true);
    await database?.drop();
  });

  it('is the durable consumer gateway--member-cache of the users events that change a member', () => {
    const definition = memberCacheConsumer(cache);
    expect(definition.name).toBe('gateway--member-cache');
    expect(definition.source).toBe('users');
    expect([...definition.subjects].sort()).toEqual([
      'users.identity.profile_changed.v1',
      'users.member.language_changed.v1',
      'users.member.role_changed.v1',
      'users.member.status_changed.v1',
    ]);
  });

  it('forgets a membership whose status or role changed, and only that one', async () => {
    cache.set(BOT_A, 101, profile, member(BOT_A, 101));
    cache.set(BOT_B, 101, profile, member(BOT_B, 101));
    cache.set(BOT_A, 102, profile, member(BOT_A, 102));
    await append(BOT_A, { type: 'Blocked', data: { telegramUserId: 101 } });
    await waitFor('the blocked member forgotten', () => cache.get(BOT_A, 101, profile) === undefined);
    await append(BOT_A, { type: 'AdminApproved', data: { telegramUserId: 102 } });
    await waitFor('the new admin forgotten', () => cache.get(BOT_A, 102, profile) === undefined);
    expect(cache.get(BOT_B, 101, profile)).toBeDefined();
  });

  it('forgets a user in every bot when their identity profile changed', async () => {
    cache.set(BOT_A, 201, profile, member(BOT_A, 201));
    cache.set(BOT_B, 201, profile, member(BOT_B, 201));
    cache.set(BOT_B, 202, profile, member(BOT_B, 202));
    await append(BOT_A, { type: 'ProfileChanged', data: { telegramUserId: 201 } });
    await waitFor('the user forgotten in bot B too', () => cache.get(BOT_B, 201, profile) === undefined);
    expect(cache.get(BOT_A, 201, profile)).toBeUndefined();
    expect(cache.get(BOT_B, 202, profile)).toBeDefined();
    expect(await consumer.deadLetters()).toEqual([]);
  });
});
