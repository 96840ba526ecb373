import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from 'grammy';
import { TelegramSandbox } from '../index.js';

/** The demo bot `npm start` creates with a fixed token: the id a generated token used to get too. */
const DEMO_BOT = { username: 'demo_bot', firstName: 'Demo bot', token: '7000000001:sandbox-demo-bot-token-not-a-secret' };

describe('creating bots through the control API (POST /sandbox/api/bots)', () => {
  const sandbox = new TelegramSandbox({ rateLimits: false });

  beforeAll(async () => {
    await sandbox.start();
    sandbox.createBot(DEMO_BOT);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const postBot = async (body: unknown) => {
    const response = await fetch(`${sandbox.apiRoot}/sandbox/api/bots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('generates a token whose id is past every existing bot, so it does not collide with the demo bot', async () => {
    const created = await postBot({ username: 'second_bot', firstName: 'Second bot' });

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 7_000_000_002,
      username: 'second_bot',
      firstName: 'Second bot',
      token: expect.stringMatching(/^7000000002:[A-Za-z0-9_-]{30,64}$/),
    });
    // The token works against the Bot API right away.
    const me = await new Api(String(created.body.token), { apiRoot: sandbox.apiRoot }).getMe();
    expect(me).toMatchObject({ id: 7_000_000_002, username: 'second_bot', first_name: 'Second bot', is_bot: true });
  });

  it('takes a given token, and the next generated id goes past it', async () => {
    const given = await postBot({ username: 'given_bot', token: '7000000050:given-token-secret-part-long-enough' });
    const next = await postBot({ username: 'next_bot' });

    expect(given).toEqual({
      status: 201,
      body: { id: 7_000_000_050, username: 'given_bot', firstName: 'given_bot', token: '7000000050:given-token-secret-part-long-enough' },
    });
    expect(next.status).toBe(201);
    expect(next.body.id).toBe(7_000_000_051);
  });

  it('lists the new bot in the web chat state, so one can chat with it', async () => {
    const created = await postBot({ username: 'listed_bot', firstName: 'Listed' });
    const user = (await (
      await fetch(`${sandbox.apiRoot}/sandbox/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: 'Bea' }),
      })
    ).json()) as { id: number };

    const state = (await (await fetch(`${sandbox.apiRoot}/sandbox/api/state`)).json()) as { bots: Array<{ id: number; username: string }> };
    expect(state.bots).toContainEqual({ id: created.body.id, username: 'listed_bot', firstName: 'Listed' });
    const sent = await fetch(`${sandbox.apiRoot}/sandbox/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ bot: created.body.id, chat: user.id, text: 'hi second bot' }),
    });
    expect(sent.status).toBe(200);
    const updates = await new Api(String(created.body.token), { apiRoot: sandbox.apiRoot }).getUpdates();
    expect(updates.map((update) => update.message?.text)).toEqual(['hi second bot']);
  });

  it('refuses a taken username, a taken token and a token whose id is taken, with 400 and SANDBOX.BOT_EXISTS', async () => {
    await postBot({ username: 'taken_bot' });

    const sameUsername = await postBot({ username: 'Taken_Bot' });
    const sameToken = await postBot({ username: 'other_demo_bot', token: DEMO_BOT.token });
    const sameId = await postBot({ username: 'other_id_bot', token: '7000000001:another-secret-of-the-same-bot-id' });

    expect(sameUsername).toEqual({ status: 400, body: { code: 'SANDBOX.BOT_EXISTS', error: 'A bot @Taken_Bot already exists' } });
    expect(sameToken).toEqual({ status: 400, body: { code: 'SANDBOX.BOT_EXISTS', error: 'A bot with id 7000000001 already exists' } });
    expect(sameId).toEqual({ status: 400, body: { code: 'SANDBOX.BOT_EXISTS', error: 'A bot with id 7000000001 already exists' } });
  });

  it('refuses a bad username or token with 400 and SANDBOX.INVALID_INPUT', async () => {
    const missing = await postBot({ firstName: 'No username' });
    const short = await postBot({ username: 'ab' });
    const badToken = await postBot({ username: 'bad_token_bot', token: 'not-a-token' });
    const wrongType = await postBot({ username: 'typed_bot', token: 42 });

    expect(missing).toEqual({ status: 400, body: { code: 'SANDBOX.INVALID_INPUT', error: 'A bot needs a username' } });
    expect(short).toEqual({
      status: 400,
      body: { code: 'SANDBOX.INVALID_INPUT', error: '"ab" is not a valid username: 4-32 letters, digits or _, starting with a letter' },
    });
    expect(badToken).toEqual({ status: 400, body: { code: 'SANDBOX.INVALID_INPUT', error: '"not-a-token" is not a bot token (<digits>:<secret>)' } });
    expect(wrongType).toEqual({ status: 400, body: { code: 'SANDBOX.INVALID_INPUT', error: 'token must be a string' } });
  });
});

describe('TelegramSandbox.createBot without a token', () => {
  it('does not collide with a bot created earlier with a token (the demo bot of npm start)', async () => {
    const sandbox = new TelegramSandbox({ rateLimits: false });
    sandbox.createBot(DEMO_BOT);

    const second = sandbox.createBot({ username: 'second_bot' });

    expect(second.id).toBe(7_000_000_002);
    expect(sandbox.bots().map((bot) => bot.username)).toEqual(['demo_bot', 'second_bot']);
  });
});
