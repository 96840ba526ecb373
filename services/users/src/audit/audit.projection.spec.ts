import type { RecordedEvent } from '@botplatform/event-store';
import { auditActionOf, auditEntryOf, auditTargetOf } from './audit.projection.js';

describe('Audit entries', () => {
  describe('action names', () => {
    it.each([
      ['bot-1', 'BotFeatureFlagChanged', 'bot.feature-flag-changed'],
      ['bot-1', 'BotSettingChanged', 'bot.setting-changed'],
      ['bot-1', 'BotRegistered', 'bot.registered'],
      ['bot-1', 'ApiTokenReissued', 'bot.api-token-reissued'],
      ['membership-b-42', 'MemberBlocked', 'member.blocked'],
      ['membership-b-42', 'MemberAdminApproved', 'member.admin-approved'],
      ['membership-b-42', 'UserRegistered', 'member.user-registered'],
      ['identity-42', 'IdentityProfileChanged', 'identity.profile-changed'],
      ['bot-1', 'BotTokenRotated', 'bot.token-rotated'],
    ])('%s + %s → %s', (stream, type, action) => {
      expect(auditActionOf(stream, type)).toBe(action);
    });

    it('keeps a word that only starts like the aggregate', () => {
      expect(auditActionOf('bot-1', 'Bottled')).toBe('bot.bottled');
    });
  });

  describe('targets', () => {
    it('names the member, the flag, the setting or the bot', () => {
      expect(auditTargetOf({ telegramUserId: 42, flag: 'x' })).toBe('telegram:42');
      expect(auditTargetOf({ flag: 'beta' })).toBe('flag:beta');
      expect(auditTargetOf({ key: 'quota.daily.user' })).toBe('setting:quota.daily.user');
      expect(auditTargetOf({ name: 'Shop' })).toBe('bot');
    });
  });

  it('keeps no secret in the details, however deep', () => {
    const event = {
      type: 'BotRegistered',
      data: {
        botId: 'b',
        name: 'Shop',
        encryptedToken: { keyId: 'k', ciphertext: 'c' },
        apiTokenHash: 'h',
        apiTokenId: 'id',
        nested: { webhookSecret: 's', cipherText: 'c', passwordHash: 'p', kept: 1 },
        list: [{ token: 't', ok: true }],
      },
      metadata: { eventId: 'e', botId: 'b', streamId: 'bot-b', actor: { kind: 'admin', id: 'operator' }, occurredAt: new Date(0) },
    } as unknown as RecordedEvent;
    expect(auditEntryOf(event)).toEqual({
      eventId: 'e',
      botId: 'b',
      admin: 'operator',
      action: 'bot.registered',
      target: 'bot',
      details: { botId: 'b', name: 'Shop', nested: { kept: 1 }, list: [{ ok: true }] },
      occurredAt: new Date(0),
    });
  });
});
