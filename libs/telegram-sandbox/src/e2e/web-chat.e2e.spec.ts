import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bot } from 'grammy';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type SandboxBot, type SandboxUser, TelegramSandbox } from '../index.js';
import { createShopBot, type ShopBotObservations } from '../test-support/shop-bot.js';
import { waitUntil } from '../test-support/wait-until.js';

/** Screenshots go to <repo>/test-output/ (gitignored). */
const OUTPUT_DIR = fileURLToPath(new URL('../../../../test-output/', import.meta.url));
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the web chat page', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });
  let browser: Browser;
  let page: Page;
  let shop: SandboxBot;
  let alice: SandboxUser;
  let bot: Bot;
  let seen: ShopBotObservations;

  beforeAll(async () => {
    await sandbox.start();
    shop = sandbox.createBot({ username: 'web_shop_bot', firstName: 'Web Shop' });
    alice = sandbox.createUser({ firstName: 'Alice', username: 'alice' });
    sandbox.createUser({ firstName: 'Bob' });
    ({ bot, seen } = createShopBot(shop.token, sandbox.apiRoot));
    await new Promise<void>((resolve, reject) => {
      bot.start({ timeout: 10, onStart: () => resolve() }).catch(reject);
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
    await sandbox.stop();
  });

  const botMessage = (text: string) => page.getByTestId('bot-message').filter({ hasText: text });

  it('chats with a grammY bot: command, buttons, payment, live messages and blocking', async () => {
    await page.goto(`${sandbox.webUrl}?bot=${shop.id}&chat=${alice.id}`);
    await expect(page.getByTestId('chat-title').textContent()).resolves.toBe('Alice ↔ @web_shop_bot');

    await page.getByTestId('composer-input').fill('/start');
    await page.getByTestId('send-button').click();
    await botMessage('Welcome to the shop!').waitFor();
    await expect(page.getByTestId('user-message').last().textContent()).resolves.toContain('/start');

    await botMessage('Welcome to the shop!').getByRole('button', { name: 'About' }).click();
    await page.getByTestId('toast').filter({ hasText: 'We sell star packs' }).waitFor();
    await botMessage('We sell star packs since 2024.').waitFor();

    await botMessage('We sell star packs since 2024.').getByRole('button', { name: 'Buy a star pack' }).click();
    await page.getByTestId('invoice').filter({ hasText: 'Star pack' }).waitFor();
    await page.getByTestId('pay-button').click();
    await botMessage('Thanks! Order order-42 is paid.').waitFor();
    await page.getByTestId('messages').getByText('Payment of ★ 100 for "order-42" succeeded').waitFor();
    expect(sandbox.payments(shop)).toEqual([expect.objectContaining({ userId: alice.id, amount: 100, payload: 'order-42' })]);

    // A message the bot sends on its own shows up without reloading the page.
    await bot.api.sendMessage(alice.id, 'Your stars have been delivered');
    await botMessage('Your stars have been delivered').waitFor();

    await page.getByTestId('block-button').click();
    await page.getByTestId('blocked-badge').waitFor();
    await waitUntil(() => seen.memberUpdates.length === 1, 5000, 'my_chat_member');
    expect(seen.memberUpdates[0].new_chat_member.status).toBe('kicked');
    await expect(bot.api.sendMessage(alice.id, 'still there?')).rejects.toMatchObject({ error_code: 403 });

    await mkdir(OUTPUT_DIR, { recursive: true });
    const screenshot = `${OUTPUT_DIR}telegram-sandbox-web-chat.png`;
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`Web chat screenshot: ${screenshot}`);

    await page.getByTestId('block-button').click();
    await page.getByTestId('blocked-badge').waitFor({ state: 'hidden' });
    await waitUntil(() => seen.memberUpdates.length === 2, 5000, 'the unblock my_chat_member');
  }, 30_000);

  it('adds a bot from the form, selects it and shows its token, so one can chat with it', async () => {
    await page.goto(`${sandbox.webUrl}?bot=${shop.id}&chat=${alice.id}`);
    await page.getByTestId('new-bot-username').fill('form_bot');
    await page.getByTestId('new-bot-name').fill('Form bot');
    await page.getByTestId('new-bot-button').click();

    await page.getByTestId('chat-title').filter({ hasText: 'Alice ↔ @form_bot' }).waitFor();
    const created = sandbox.bots().find((candidate) => candidate.username === 'form_bot');
    expect(created).toMatchObject({ firstName: 'Form bot', id: shop.id + 1 });
    await expect(page.getByTestId('new-bot-token').textContent()).resolves.toBe(`@form_bot token: ${created!.token}`);
    await page.getByTestId('composer-input').fill('hello form bot');
    await page.getByTestId('send-button').click();
    await waitUntil(() => sandbox.pendingUpdates(created!).length === 1, 5000, 'the update to the new bot');
    expect(sandbox.pendingUpdates(created!)[0].message?.text).toBe('hello form bot');

    // A taken username is refused with the sandbox's message.
    await page.getByTestId('new-bot-username').fill('form_bot');
    await page.getByTestId('new-bot-button').click();
    await page.getByTestId('toast').filter({ hasText: 'A bot @form_bot already exists' }).waitFor();
  }, 30_000);
});
