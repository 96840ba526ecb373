import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from 'grammy';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TelegramSandbox } from '../index.js';
import { waitUntil } from '../test-support/wait-until.js';

const DAY_MS = 86_400_000;

describe('a sandbox with persistTo', () => {
  let directory: string;
  let stateFile: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
    stateFile = join(directory, 'nested', 'sandbox.json');
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes its world after changes and a new sandbox loaded from the file continues it', async () => {
    const first = new TelegramSandbox({ rateLimits: false, preCheckoutTimeoutMs: 2000, persistTo: stateFile });
    await first.start();
    const bot = first.createBot({ username: 'shop_bot', firstName: 'Shop' });
    const alice = first.createUser({ firstName: 'Alice', starBalance: 500 });
    const group = first.createGroup({ title: 'Team', members: [alice], bots: [bot] });
    const api = new Api(bot.token, { apiRoot: first.apiRoot });
    const chat = first.chat(alice, bot);
    chat.sendText('first');
    const firstBatch = await api.getUpdates({ offset: 0 });
    // Confirms the first batch; the bot answers, and a Stars payment goes through.
    await api.getUpdates({ offset: firstBatch.at(-1)!.update_id + 1, timeout: 0 });
    await api.sendMessage(alice.id, 'welcome');
    const invoice = await api.sendInvoice(alice.id, 'Pack', 'Stars', 'order-1', 'XTR', [{ label: 'Pack', amount: 100 }]);
    const paying = chat.payInvoice(invoice.message_id);
    const [preCheckout] = await api.getUpdates({ offset: firstBatch.at(-1)!.update_id + 1, timeout: 2 });
    await api.answerPreCheckoutQuery(preCheckout.pre_checkout_query!.id, true);
    expect(await paying).toMatchObject({ status: 'paid' });
    const paidUpdates = await api.getUpdates({ offset: preCheckout.update_id + 1, timeout: 2 });
    const lastConfirmed = paidUpdates.at(-1)!.update_id;
    await api.getUpdates({ offset: lastConfirmed + 1, timeout: 0 });
    // Not confirmed before the restart: the bot must still get it afterwards.
    chat.sendText('still pending');
    await first.advanceTime({ days: 3 });
    const messageIdsBefore = chat.messages().map((message) => message.message_id);
    const advancedNow = first.now().getTime();

    // Written shortly after the changes, without waiting for stop().
    await waitUntil(() => existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes('still pending'), 5000, 'the state file');
    await first.stop();
    expect(readdirSync(join(directory, 'nested'))).toEqual(['sandbox.json']);

    const second = new TelegramSandbox({ rateLimits: false, persistTo: stateFile });
    await second.start();
    try {
      expect(second.bots()).toEqual([expect.objectContaining({ id: bot.id, token: bot.token, username: 'shop_bot', firstName: 'Shop' })]);
      expect(second.users()).toEqual([expect.objectContaining({ id: alice.id, firstName: 'Alice' })]);
      expect(second.starBalanceOf(alice)).toBe(400);
      expect(second.payments()).toEqual([expect.objectContaining({ botId: bot.id, userId: alice.id, payload: 'order-1', amount: 100 })]);
      // The simulated clock keeps the days that were made to pass.
      expect(second.now().getTime()).toBeGreaterThanOrEqual(advancedNow);
      expect(second.now().getTime() - Date.now()).toBeGreaterThan(3 * DAY_MS - 60_000);

      // The conversation (and the invoice on its message) is there for the web chat.
      const view = (await (await fetch(`${second.apiRoot}/sandbox/api/conversation?bot=${bot.id}&chat=${alice.id}`)).json()) as {
        messages: Array<{ message: { message_id: number; text?: string }; fromBot: boolean; hasInvoice: boolean }>;
      };
      expect(view.messages.map((entry) => entry.message.message_id)).toEqual(messageIdsBefore);
      expect(view.messages.map((entry) => entry.message.text).filter(Boolean)).toEqual(['first', 'welcome', 'still pending']);
      expect(view.messages.find((entry) => entry.message.message_id === invoice.message_id)?.hasInvoice).toBe(true);

      // Unconfirmed updates survive; update ids and message ids continue, never reused.
      const secondApi = new Api(bot.token, { apiRoot: second.apiRoot });
      const pending = await secondApi.getUpdates({ offset: lastConfirmed + 1, timeout: 0 });
      expect(pending.map((update) => update.message?.text)).toEqual(['still pending']);
      expect(pending[0].update_id).toBe(lastConfirmed + 1);
      second.chat(alice, bot).sendText('after restart');
      const [next] = await secondApi.getUpdates({ offset: pending[0].update_id + 1, timeout: 0 });
      expect(next.update_id).toBe(pending[0].update_id + 1);
      expect(next.message!.message_id).toBe(Math.max(...messageIdsBefore) + 1);
      const reply = await secondApi.sendMessage(alice.id, 'still here');
      expect(reply.message_id).toBe(next.message!.message_id + 1);

      // The group keeps its members, and new ids go past the loaded ones.
      const state = (await (await fetch(`${second.apiRoot}/sandbox/api/state`)).json()) as { groups: unknown[] };
      expect(state.groups).toEqual([{ id: group.id, title: 'Team', memberIds: [alice.id], botIds: [bot.id] }]);
      expect(second.createBot({ username: 'other_bot' }).id).toBe(bot.id + 1);
      expect(second.createUser({ firstName: 'Bob' }).id).toBe(alice.id + 1);
    } finally {
      await second.stop();
    }
  });

  it('refuses a state file that is not one, naming the file', () => {
    const broken = join(directory, 'broken.json');
    writeFileSync(broken, '{"half": ');
    expect(() => new TelegramSandbox({ persistTo: broken })).toThrow(expect.objectContaining({ code: 'SANDBOX.STATE_FILE_UNREADABLE' }));
  });
});
