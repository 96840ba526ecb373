import { ruleRequestId } from './rule-dispatcher.js';

const trigger = {
  rule: 'level_reached' as const,
  botId: '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b01',
  telegramUserId: 42,
  sourceEventId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10',
};

describe('The request id of a rule’s message', () => {
  it('is the same UUID for the same rule, member and event, so a redelivery asks for the same message', () => {
    expect(ruleRequestId(trigger)).toBe(ruleRequestId({ ...trigger }));
    expect(ruleRequestId(trigger)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs when the rule, the member, the bot or the event differs', () => {
    const ids = new Set([
      ruleRequestId(trigger),
      ruleRequestId({ ...trigger, rule: 'badge_awarded' }),
      ruleRequestId({ ...trigger, telegramUserId: 43 }),
      ruleRequestId({ ...trigger, botId: '7a1e0c52-3b2d-4c4e-9f10-5d6e7f8a9b02' }),
      ruleRequestId({ ...trigger, sourceEventId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e11' }),
    ]);
    expect(ids.size).toBe(5);
  });
});
