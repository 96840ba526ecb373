import { RPC } from '@botplatform/contracts';
import { startUsersTestService, type UsersTestService } from '../user/testing/users-test-service.js';

/** rpc.users.authenticate-api-token: how other services' admin APIs learn whose a bot API token is. */
describe('Bot API tokens over request/reply', () => {
  let t: UsersTestService;

  beforeAll(async () => {
    t = await startUsersTestService('bp_users_api_token_rpc');
  });

  afterAll(async () => {
    await t?.close();
  });

  it("names the token's bot and token id", async () => {
    const a = await t.registerBot({ name: 'A' });
    const b = await t.registerBot({ name: 'B' });
    const reply = await t.call(RPC.users.authenticateApiToken, { token: a.apiToken });
    expect(reply.botId).toBe(a.botId);
    expect(a.apiToken).toContain(`bp_${reply.tokenId}_`);
    expect((await t.call(RPC.users.authenticateApiToken, { token: b.apiToken })).botId).toBe(b.botId);
  });

  it('refuses a token nobody issued with USERS.UNAUTHENTICATED', async () => {
    const a = await t.registerBot({ name: 'C' });
    const forged = `${a.apiToken.slice(0, -4)}AAAA`;
    for (const token of [forged, 'bp_nope_nope', 'operator-token-for-tests']) {
      expect((await t.failure(t.call(RPC.users.authenticateApiToken, { token }))).code).toBe('USERS.UNAUTHENTICATED');
    }
  });
});
