import { BotFeatureFlagChangedSchema, BotSettingChangedSchema, MemberRoleChangedSchema, type BotConfigJson, type DecodedEvent } from '@botplatform/contracts';
import { ParkEventError } from '@botplatform/bus';
import { create, type DescMessage } from '@bufbuild/protobuf';
import { BotConfigCache } from './bot-config.cache.js';
import { onBotConfigChanged } from './on-bot-config-changed.consumer.js';

class CountingSource {
  calls = 0;
  flags: Record<string, boolean> = { vip: false };
  timezone = '"Europe/Berlin"';
  async getBotConfig({ botId }: { botId?: string }): Promise<BotConfigJson> {
    this.calls++;
    return { botId, flags: { ...this.flags }, settings: [{ key: 'timezone', type: 'SETTING_TYPE_STRING', valueJson: this.timezone }] };
  }
}

describe('BotConfigCache', () => {
  it("keeps a bot's flags and time zone for its TTL, asking once for concurrent misses", async () => {
    let now = 0;
    const source = new CountingSource();
    const cache = new BotConfigCache(source, { ttlMs: 1_000, now: () => now });
    const [a, b] = await Promise.all([cache.get('bot'), cache.get('bot')]);
    expect(a).toEqual({ flags: { vip: false }, timeZone: 'Europe/Berlin' });
    expect(b).toBe(a);
    source.flags = { vip: true };
    now = 999;
    expect((await cache.get('bot')).flags.vip).toBe(false);
    now = 1_000;
    expect((await cache.get('bot')).flags.vip).toBe(true);
    expect(source.calls).toBe(2);
  });

  it('forgets a bot when told, and tells the listeners; a missing time zone is UTC', async () => {
    const source = new CountingSource();
    source.timezone = 'not json';
    const cache = new BotConfigCache(source);
    const told: string[] = [];
    cache.onInvalidated((botId) => told.push(botId));
    expect((await cache.get('bot')).timeZone).toBe('UTC');
    cache.invalidate('bot');
    await cache.get('bot');
    expect(source.calls).toBe(2);
    expect(told).toEqual(['bot']);
  });
});

describe('onBotConfigChanged', () => {
  const decoded = <Desc extends DescMessage>(schema: Desc, message: object) =>
    ({ subject: 'x', schema, message: create(schema, message as never), envelope: {} }) as unknown as DecodedEvent;

  it('forgets the bot of a flag or setting change, and parks anything else', async () => {
    const invalidated: string[] = [];
    const consumer = onBotConfigChanged({ invalidate: (botId) => invalidated.push(botId) });
    expect(consumer).toMatchObject({
      name: 'gateway--bot-config',
      source: 'users',
      subjects: ['users.bot.feature_flag_changed.v1', 'users.bot.setting_changed.v1'],
    });
    const handle = (event: DecodedEvent) => (consumer as unknown as { handle: (event: DecodedEvent, context: unknown) => Promise<void> }).handle(event, {});
    await handle(decoded(BotFeatureFlagChangedSchema, { botId: 'b1', flag: 'vip', enabled: true }));
    await handle(decoded(BotSettingChangedSchema, { botId: 'b2', key: 'timezone' }));
    expect(invalidated).toEqual(['b1', 'b2']);
    await expect(handle(decoded(MemberRoleChangedSchema, { botId: 'b3' }))).rejects.toThrow(ParkEventError);
  });
});
