import { FeatureTestKit, memberOf, type KitBot } from '@botplatform/bot-kit';
import type { SandboxUser } from '@botplatform/telegram-sandbox';
import type { Message } from 'grammy/types';
import { startUsersTestService, type UsersTestService } from '../user/testing/users-test-service.js';

const text = (pattern: RegExp) => (message: Message) => pattern.test(message.text ?? '');

/**
 * /profile through the Telegram sandbox as a member uses it: the users service answers, and the kit plays
 * the gateway's part, registering the sender with the users service as the gateway's identity step does.
 */
describe('/profile', () => {
  let service: UsersTestService;
  let kit: FeatureTestKit;
  let bot: KitBot;
  let owner: SandboxUser;

  beforeAll(async () => {
    service = await startUsersTestService('bp_users_profile');
    const router = service.users.declarer!.router;
    kit = await FeatureTestKit.start({
      rpc: service.rpc,
      declarations: () => [router.declaration()],
      members: async (kitBot, from) => memberOf((await service.see(kitBot.botId, from.id, profileOf(from))).member!),
    });
    owner = kit.user('Olga', 'en');
    const { botId } = await service.registerBot({ ownerTelegramUserId: owner.id });
    bot = await kit.bot({ botId, name: 'Shop' });
  });

  afterAll(async () => {
    await kit?.close();
    await service?.close();
  });

  it("shows the member's profile in their language, with the language they follow", async () => {
    const chat = bot.chat(kit.user('Ева', 'ru', { username: 'eva_ru', lastName: 'Ли' }));
    chat.sendCommand('profile');
    const profile = await chat.waitForMessage(text(/^Ваш профиль/));
    expect(profile.text).toContain('Имя: Ева Ли');
    expect(profile.text).toContain('Имя пользователя: @eva_ru');
    expect(profile.text).toContain('Роль: пользователь');
    expect(profile.text).toContain('Язык: Русский (Как в Telegram)');
    // Joined on the users service's test clock's day, in the bot's time zone (UTC here).
    expect(profile.text).toContain('Участник с: 23 ноября 2026 г.');
  });

  it('shows the owner as the owner, in English', async () => {
    const chat = bot.chat(owner);
    chat.sendCommand('profile');
    const profile = await chat.waitForMessage(text(/^Your profile/));
    expect(profile.text).toContain('Role: owner');
    expect(profile.text).toContain('Username: not set');
    expect(profile.text).toContain('Language: English (Telegram default)');
  });
});

function profileOf(from: { first_name: string; last_name?: string; username?: string; language_code?: string }) {
  return {
    firstName: from.first_name,
    ...(from.last_name ? { lastName: from.last_name } : {}),
    ...(from.username ? { username: from.username } : {}),
    ...(from.language_code ? { languageCode: from.language_code } : {}),
  };
}
