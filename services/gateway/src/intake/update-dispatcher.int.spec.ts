import { RPC } from '@botplatform/contracts';
import { RpcCallError } from '@botplatform/bus';
import { createServiceOrm } from '@botplatform/event-store';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Api, BotError, Context } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { randomUUID } from 'node:crypto';
import { CapturingLogger } from '../hosting/testing/capturing-logger.js';
import { AnswerMark, markedBeforeVisibleCalls, withAnswerMark } from './answer-mark.js';
import { IncomingUpdateJournal } from './incoming-update.journal.js';
import { incomingUpdateJournalMigrations } from './migrations/20261201000000-answering-updates.migration.js';
import { UpdateDispatcher, chatKeyOf, type UpdateDispatcherOptions } from './update-dispatcher.js';

const me = { id: 1, is_bot: true, first_name: 'Bot', username: 'bot' } as UserFromGetMe;

function textUpdate(updateId: number, chatId: number, text: string): Update {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: chatId, type: 'private', first_name: 'U' },
      from: { id: chatId, is_bot: false, first_name: 'U' },
      text,
    },
  } as Update;
}

/** What grammY's `handleUpdate` throws when a middleware fails. */
const botError = (cause: unknown, update: Update) => new BotError(cause, new Context(update, {} as Api, me));

/** The request timed out: what `RpcClient.call` throws when nobody answers. */
const noAnswer = () => Object.assign(new Error('Timeout has occurred'), { name: 'TimeoutError' });

describe('UpdateDispatcher', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let journal: IncomingUpdateJournal;
  const running: UpdateDispatcher[] = [];

  const dispatcher = (botId: string, handle: (update: Update, mark: AnswerMark) => Promise<void>, options: Partial<UpdateDispatcherOptions> = {}) => {
    const answered: unknown[] = [];
    const created = new UpdateDispatcher({
      botId,
      label: `bot ${botId}`,
      journal,
      handle: async (update, mark) => {
        try {
          await handle(update, mark);
        } catch (error) {
          throw botError(error, update);
        }
      },
      answerFailure: async (error) => void answered.push(error.error),
      retryDelaysMs: [20, 40],
      logger: new CapturingLogger(),
      ...options,
    });
    running.push(created);
    return { dispatcher: created, answered };
  };
  const statuses = async (botId: string) =>
    Object.fromEntries(
      (
        await orm.em
          .getConnection()
          .execute<{ update_id: string; status: string }[]>(
            `SELECT update_id::text, status FROM gateway.gateway_incoming_updates WHERE bot_id = ? ORDER BY update_id`,
            [botId],
          )
      ).map((row) => [Number(row.update_id), row.status]),
    );

  beforeAll(async () => {
    database = await createTestDatabase('bp_gw_intake');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'gateway', migrations: [...incomingUpdateJournalMigrations] });
    journal = new IncomingUpdateJournal(orm);
  });

  afterEach(async () => {
    for (const created of running.splice(0)) await created.stop(1_000);
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  describe('the journal', () => {
    it('records an update once per bot and update_id, and says which of a batch are new', async () => {
      const botId = randomUUID();
      expect((await journal.record(botId, [textUpdate(2, 10, 'b'), textUpdate(1, 10, 'a')])).map((u) => u.update_id)).toEqual([1, 2]);
      expect((await journal.record(botId, [textUpdate(2, 10, 'b'), textUpdate(3, 10, 'c')])).map((u) => u.update_id)).toEqual([3]);
      // Another bot's update 1 is another update.
      expect(await journal.record(randomUUID(), [textUpdate(1, 10, 'a')])).toHaveLength(1);
      expect((await journal.pending(botId)).map((p) => p.update)).toEqual([textUpdate(1, 10, 'a'), textUpdate(2, 10, 'b'), textUpdate(3, 10, 'c')]);
    });

    it('keeps a settled update out of the pending ones, and prunes only settled ones', async () => {
      const botId = randomUUID();
      await journal.record(botId, [textUpdate(1, 10, 'a'), textUpdate(2, 10, 'b')]);
      await journal.settle(botId, 1, { status: 'handled' });
      expect((await journal.pending(botId)).map((p) => p.update.update_id)).toEqual([2]);
      expect(await journal.prune(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
      expect(await statuses(botId)).toEqual({ 2: 'pending' });
      // A duplicate of a pruned update would be new again: pruning waits until Telegram cannot send one.
    });
  });

  it('handles one chat in order and several chats at once', async () => {
    const botId = randomUUID();
    const log: string[] = [];
    let concurrent = 0;
    let most = 0;
    const { dispatcher: d } = dispatcher(botId, async (update) => {
      concurrent++;
      most = Math.max(most, concurrent);
      await new Promise((r) => setTimeout(r, 30));
      log.push(`${update.message!.chat.id}:${update.message!.text}`);
      concurrent--;
    });
    const updates = [textUpdate(1, 10, 'a1'), textUpdate(2, 20, 'b1'), textUpdate(3, 10, 'a2'), textUpdate(4, 20, 'b2'), textUpdate(5, 10, 'a3')];
    await journal.record(botId, updates);
    await Promise.all(d.accept(updates));
    expect(log.filter((entry) => entry.startsWith('10:'))).toEqual(['10:a1', '10:a2', '10:a3']);
    expect(log.filter((entry) => entry.startsWith('20:'))).toEqual(['20:b1', '20:b2']);
    expect(most).toBe(2);
    expect(await statuses(botId)).toEqual({ 1: 'handled', 2: 'handled', 3: 'handled', 4: 'handled', 5: 'handled' });
  });

  it('retries an update while its dependency does not answer, holding the chat behind it, then handles it once', async () => {
    const botId = randomUUID();
    let away = 3;
    const handled: string[] = [];
    const { dispatcher: d, answered } = dispatcher(botId, async (update) => {
      const text = update.message!.text!;
      if (text === 'first' && away-- > 0) throw noAnswer();
      handled.push(text);
    });
    const updates = [textUpdate(1, 10, 'first'), textUpdate(2, 10, 'second'), textUpdate(3, 30, 'other chat')];
    await journal.record(botId, updates);
    await Promise.all(d.accept(updates));
    expect(handled.filter((t) => t !== 'other chat')).toEqual(['first', 'second']);
    expect(handled).toContain('other chat');
    expect(answered).toEqual([]);
    const [row] = await orm.em
      .getConnection()
      .execute<{ attempts: number; status: string }[]>(`SELECT attempts, status FROM gateway.gateway_incoming_updates WHERE bot_id = ? AND update_id = 1`, [
        botId,
      ]);
    expect(row).toEqual({ attempts: 3, status: 'handled' });
  });

  it('answers an update that failed on its own (a bug, a typed refusal) through the error boundary, once, without retrying', async () => {
    const botId = randomUUID();
    let calls = 0;
    const refusal = new RpcCallError(RPC.users.registerUser.subject, { code: 'USERS.MEMBER_BLOCKED', message: 'blocked' });
    const { dispatcher: d, answered } = dispatcher(botId, async (update) => {
      calls++;
      if (update.update_id === 1) throw new TypeError('a bug');
      throw refusal;
    });
    const updates = [textUpdate(1, 10, 'a'), textUpdate(2, 20, 'b')];
    await journal.record(botId, updates);
    await Promise.all(d.accept(updates));
    expect(calls).toBe(2);
    expect(answered).toHaveLength(2);
    expect(answered).toContain(refusal);
    expect(await statuses(botId)).toEqual({ 1: 'handled', 2: 'handled' });
  });

  it('gives up on another service answering INTERNAL after a few attempts, with an apology, and marks the update failed', async () => {
    const botId = randomUUID();
    let calls = 0;
    const { dispatcher: d, answered } = dispatcher(
      botId,
      async () => {
        calls++;
        throw new RpcCallError(RPC.users.registerUser.subject, { code: 'INTERNAL', message: 'internal error' });
      },
      { maxInternalAttempts: 3 },
    );
    await journal.record(botId, [textUpdate(1, 10, 'a')]);
    await Promise.all(d.accept([textUpdate(1, 10, 'a')]));
    expect(calls).toBe(3);
    expect(answered).toHaveLength(1);
    expect(await statuses(botId)).toEqual({ 1: 'failed' });
  });

  it("retries, past the INTERNAL bound, while another service answers that its own dependency is away (a paid charge's grant), then handles it once", async () => {
    const botId = randomUUID();
    let calls = 0;
    const { dispatcher: d, answered } = dispatcher(
      botId,
      async () => {
        calls++;
        if (calls <= 4) {
          throw new RpcCallError(RPC.payments.handleBotUpdate.subject, {
            code: 'PAYMENTS.DEPENDENCY_UNAVAILABLE',
            message: 'subscriptions did not answer: Empty response. There are no subscribers listening to that message',
          });
        }
      },
      { maxInternalAttempts: 2 },
    );
    await journal.record(botId, [textUpdate(1, 10, 'a')]);
    await Promise.all(d.accept([textUpdate(1, 10, 'a')]));
    expect(calls).toBe(5);
    expect(answered).toEqual([]);
    expect(await statuses(botId)).toEqual({ 1: 'handled' });
  });

  it('leaves what it did not handle pending when it stops; the next dispatcher handles it from the journal', async () => {
    const botId = randomUUID();
    const { dispatcher: first } = dispatcher(botId, async () => {
      throw noAnswer();
    });
    const updates = [textUpdate(1, 10, 'a'), textUpdate(2, 10, 'b')];
    await journal.record(botId, updates);
    first.accept(updates);
    await waitFor(
      'a failed attempt',
      async () =>
        (
          await orm.em
            .getConnection()
            .execute<{ attempts: number }[]>(`SELECT attempts FROM gateway.gateway_incoming_updates WHERE bot_id = ? AND update_id = 1`, [botId])
        )[0].attempts > 0,
    );
    await first.stop(1_000);
    expect(await statuses(botId)).toEqual({ 1: 'pending', 2: 'pending' });

    const handled: string[] = [];
    const { dispatcher: second } = dispatcher(botId, async (update) => void handled.push(update.message!.text!));
    expect(await second.recover()).toBe(2);
    await waitFor('both handled', () => handled.length === 2);
    expect(handled).toEqual(['a', 'b']);
    await waitFor('both settled', async () => Object.values(await statuses(botId)).every((status) => status === 'handled'));
  });

  describe('marked as being answered before the first visible call', () => {
    it('is not handled again after a crash once its answer had started, while an unmarked one is', async () => {
      const botId = randomUUID();
      const never = new Promise<void>(() => undefined);
      // The first process: update 1 starts its answer and dies there; update 2 dies before answering.
      const { dispatcher: first } = dispatcher(botId, async (update, mark) => {
        if (update.update_id === 1) await mark.ensure();
        await never;
      });
      const updates = [textUpdate(1, 10, 'answered'), textUpdate(2, 20, 'not yet')];
      await journal.record(botId, updates);
      first.accept(updates);
      await waitFor('update 1 marked', async () => (await statuses(botId))[1] === 'answering');
      await first.stop(0);
      expect(await statuses(botId)).toEqual({ 1: 'answering', 2: 'pending' });

      const handled: number[] = [];
      const { dispatcher: second } = dispatcher(botId, async (update) => void handled.push(update.update_id));
      expect(await second.recover()).toBe(1);
      await waitFor('update 2 handled', async () => (await statuses(botId))[2] === 'handled');
      expect(handled).toEqual([2]);
    });

    it('settles answered updates together, and does not retry one that fails after its answer had started', async () => {
      const botId = randomUUID();
      let calls = 0;
      const { dispatcher: d, answered } = dispatcher(botId, async (update, mark) => {
        calls++;
        await mark.ensure();
        if (update.update_id === 3) throw noAnswer();
      });
      const updates = [textUpdate(1, 10, 'a'), textUpdate(2, 20, 'b'), textUpdate(3, 30, 'c')];
      await journal.record(botId, updates);
      await Promise.all(d.accept(updates));
      expect(calls).toBe(3);
      expect(answered).toEqual([]);
      await waitFor('settled', async () => (await statuses(botId))[1] === 'handled' && (await statuses(botId))[2] === 'handled');
      expect(await statuses(botId)).toEqual({ 1: 'handled', 2: 'handled', 3: 'failed' });
    });

    it('sends nothing while the mark cannot be written, and handles the update once it can', async () => {
      const botId = randomUUID();
      let markFails = 2;
      const sent: number[] = [];
      const failingJournal = Object.create(journal) as IncomingUpdateJournal;
      failingJournal.markAnswering = async (bot, updateId) => {
        if (markFails-- > 0) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        return journal.markAnswering(bot, updateId);
      };
      const { dispatcher: d } = dispatcher(
        botId,
        async (update, mark) => {
          await mark.ensure();
          sent.push(update.update_id);
        },
        { journal: failingJournal },
      );
      await journal.record(botId, [textUpdate(1, 10, 'a')]);
      await Promise.all(d.accept([textUpdate(1, 10, 'a')]));
      expect(sent).toEqual([1]);
      await waitFor('settled', async () => (await statuses(botId))[1] === 'handled');
    });

    it('marks through grammY: before a send or a callback answer, never for a read, and only inside an update', async () => {
      const botId = randomUUID();
      await journal.record(botId, [textUpdate(7, 10, 'a')]);
      const calls: string[] = [];
      const api = new Api('1:token');
      // The innermost transformer stands in for Telegram: it records what would have left, and when.
      api.config.use(async (_call, method) => {
        calls.push(`${method}:${(await statuses(botId))[7]}`);
        return { ok: true, result: true } as never;
      });
      api.config.use(markedBeforeVisibleCalls());
      await api.getMe();
      const mark = new AnswerMark(() => journal.markAnswering(botId, 7));
      await withAnswerMark(mark, async () => {
        await api.getChat(10);
        await api.sendMessage(10, 'hello');
        await api.answerCallbackQuery('q');
      });
      expect(calls).toEqual(['getMe:pending', 'getChat:pending', 'sendMessage:answering', 'answerCallbackQuery:answering']);
      expect(mark.marked).toBe(true);
    });
  });

  it('takes the mark back while Telegram refuses (a 429 waits unmarked), and keeps it once a call got through', async () => {
    const botId = randomUUID();
    await journal.record(botId, [textUpdate(8, 10, 'a')]);
    const seen: string[] = [];
    let refusals = 1;
    const api = new Api('1:token');
    api.config.use(async (_call, method) => {
      seen.push(`${method}:${(await statuses(botId))[8]}`);
      if (refusals-- > 0) return { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } as never;
      return { ok: true, result: true } as never;
    });
    api.config.use(markedBeforeVisibleCalls());
    const mark = new AnswerMark(
      () => journal.markAnswering(botId, 8),
      () => journal.unmarkAnswering(botId, 8),
    );
    await withAnswerMark(mark, async () => {
      await expect(api.sendMessage(10, 'hello')).rejects.toMatchObject({ error_code: 429 });
      // Refused: nothing reached the member, so a crash now would have the update handled again.
      expect((await statuses(botId))[8]).toBe('pending');
      expect(mark.marked).toBe(false);
      await api.sendMessage(10, 'hello');
      expect((await statuses(botId))[8]).toBe('answering');
      // A later refusal does not take it back: the first message may have been read.
      refusals = 1;
      await expect(api.sendMessage(10, 'second')).rejects.toMatchObject({ error_code: 429 });
    });
    expect(seen).toEqual(['sendMessage:answering', 'sendMessage:answering', 'sendMessage:answering']);
    expect((await statuses(botId))[8]).toBe('answering');
    expect(mark.marked).toBe(true);
  });

  it('keys updates by chat, else by sender, else by themselves', () => {
    expect(chatKeyOf(textUpdate(1, 42, 'x'))).toBe('c42');
    expect(chatKeyOf({ update_id: 2, callback_query: { id: 'q', from: { id: 7 }, message: { chat: { id: 42 } } } } as unknown as Update)).toBe('c42');
    expect(chatKeyOf({ update_id: 3, pre_checkout_query: { id: 'p', from: { id: 7 } } } as unknown as Update)).toBe('u7');
    expect(chatKeyOf({ update_id: 4, poll: { id: 'p' } } as unknown as Update)).toBe('#4');
  });
});
