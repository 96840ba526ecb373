import { DeciderSpecification } from '@botplatform/event-store';
import { identityIdOf } from './identity-id.js';
import {
  membershipDecider,
  type ActingAdmin,
  type MemberAdminApproved,
  type MemberAdminProposed,
  type MemberBlocked,
  type MemberOwnerRecognized,
  type MembershipCommand,
  type RegisterUser,
  type UserRegistered,
} from './membership.decider.js';
import { NotAnAdminError } from '../bot/bot.errors.js';
import { CannotBlockAdminError, CannotBlockSelfError, NotAMemberError, OwnerOnlyError, ReasonRequiredError } from './user.errors.js';

const BOT = '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10';
const NOW = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-24T08:30:00.000Z';
const ids = { botId: BOT, userId: identityIdOf(42), telegramUserId: 42 };
const register: RegisterUser = {
  type: 'RegisterUser',
  botId: BOT,
  telegramUserId: 42,
  userId: identityIdOf(42),
  profile: { firstName: 'Ann', username: 'ann', languageCode: 'ru', isPremium: true },
  startPayload: 'ref-7',
  isOwner: false,
  now: NOW,
};
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: { ...ids, profile: { firstName: 'Ann', username: 'ann', languageCode: 'ru', isPremium: true }, startPayload: 'ref-7', registeredAt: NOW },
};
const owner: ActingAdmin = { id: 'telegram:1', role: 'owner', telegramUserId: 1 };
const admin: ActingAdmin = { id: 'telegram:2', role: 'admin', telegramUserId: 2 };
const plainUser: ActingAdmin = { id: 'telegram:3', role: 'user', telegramUserId: 3 };
const apiToken: ActingAdmin = { id: 'api:tok-1', role: 'owner' };

const madeAdmin: MemberAdminApproved = {
  type: 'MemberAdminApproved',
  data: { ...ids, role: 'admin', previousRole: 'user', changedBy: owner.id, changedAt: NOW },
};
const proposed: MemberAdminProposed = { type: 'MemberAdminProposed', data: { ...ids, proposedBy: admin.id, proposedAt: NOW } };
const ownerRecognized: MemberOwnerRecognized = {
  type: 'MemberOwnerRecognized',
  data: { ...ids, role: 'owner', previousRole: 'user', changedBy: 'system', changedAt: NOW },
};
const blocked: MemberBlocked = {
  type: 'MemberBlocked',
  data: { ...ids, reason: 'spam', status: 'blocked_by_admin', previousStatus: 'active', changedBy: admin.id, changedAt: NOW },
};
const target = { botId: BOT, telegramUserId: 42, now: LATER };
type Targetless<C> = C extends MembershipCommand ? Omit<C, 'botId' | 'telegramUserId' | 'now'> : never;
const command = (c: Targetless<MembershipCommand>): MembershipCommand => ({ ...target, ...c }) as MembershipCommand;

describe('Membership', () => {
  const spec = DeciderSpecification.for(membershipDecider);

  describe('when the user is new to the bot', () => {
    it('registers them with their profile and deep-link payload', () => {
      spec.given([]).when(register).then([registered]);
    });

    it('leaves the payload out of a plain /start', () => {
      const { startPayload: _, ...plain } = register;
      const { startPayload: __, ...data } = registered.data;
      spec
        .given([])
        .when(plain)
        .then([{ type: 'UserRegistered', data }]);
    });

    it("gives the bot's owner the owner role in the same decision", () => {
      spec
        .given([])
        .when({ ...register, isOwner: true })
        .then([registered, ownerRecognized]);
    });

    it.each([
      ['ProposeAdmin', { type: 'ProposeAdmin', admin: owner }],
      ['BlockMember', { type: 'BlockMember', admin: owner, reason: 'spam' }],
      ['SetLanguage', { type: 'SetLanguage', languageCode: 'en' }],
      ['RecordBotBlocked', { type: 'RecordBotBlocked', blocked: true }],
    ])('refuses %s: they are not a member', (_, partial) => {
      spec
        .given([])
        .when(command(partial as never))
        .thenThrows(NotAMemberError, (e) => expect(e).toMatchObject({ code: 'USERS.NOT_A_MEMBER' }));
    });
  });

  describe('when the user is already a member', () => {
    it('decides nothing, so pressing /start again is harmless', () => {
      spec
        .given([registered])
        .when({ ...register, now: LATER })
        .then([]);
    });

    it('recognizes the owner who joined as a plain user before', () => {
      spec
        .given([registered])
        .when({ ...register, isOwner: true, now: LATER })
        .then([{ type: 'MemberOwnerRecognized', data: { ...ids, role: 'owner', previousRole: 'user', changedBy: 'system', changedAt: LATER } }]);
    });

    it('does not recognize the owner twice', () => {
      spec
        .given([registered, ownerRecognized])
        .when({ ...register, isOwner: true, now: LATER })
        .then([]);
    });
  });

  describe('admins', () => {
    it('an admin proposes a member, who is then pending', () => {
      spec
        .given([registered])
        .when(command({ type: 'ProposeAdmin', admin: { ...admin } }))
        .then([{ type: 'MemberAdminProposed', data: { ...ids, proposedBy: admin.id, proposedAt: LATER } }]);
    });

    it('proposing a pending member or an admin changes nothing', () => {
      spec
        .given([registered, proposed])
        .when(command({ type: 'ProposeAdmin', admin }))
        .then([]);
      spec
        .given([registered, madeAdmin])
        .when(command({ type: 'ProposeAdmin', admin }))
        .then([]);
    });

    it('a plain user cannot propose', () => {
      spec
        .given([registered])
        .when(command({ type: 'ProposeAdmin', admin: plainUser }))
        .thenThrows(NotAnAdminError);
    });

    it('the owner approves a proposed member', () => {
      spec
        .given([registered, proposed])
        .when(command({ type: 'ApproveAdmin', admin: owner }))
        .then([{ type: 'MemberAdminApproved', data: { ...ids, role: 'admin', previousRole: 'user', changedBy: owner.id, changedAt: LATER } }]);
    });

    it('the owner approves without a proposal, and the admin API token may too', () => {
      spec
        .given([registered])
        .when(command({ type: 'ApproveAdmin', admin: apiToken }))
        .then([{ type: 'MemberAdminApproved', data: { ...ids, role: 'admin', previousRole: 'user', changedBy: apiToken.id, changedAt: LATER } }]);
    });

    it('approving an admin or the owner changes nothing', () => {
      spec
        .given([registered, madeAdmin])
        .when(command({ type: 'ApproveAdmin', admin: owner }))
        .then([]);
      spec
        .given([registered, ownerRecognized])
        .when(command({ type: 'ApproveAdmin', admin: owner }))
        .then([]);
    });

    it('an admin cannot approve (owner only), a plain user is not even an admin', () => {
      spec
        .given([registered, proposed])
        .when(command({ type: 'ApproveAdmin', admin }))
        .thenThrows(OwnerOnlyError, (e) => expect(e).toMatchObject({ code: 'USERS.OWNER_ONLY' }));
      spec
        .given([registered])
        .when(command({ type: 'ApproveAdmin', admin: plainUser }))
        .thenThrows(NotAnAdminError);
    });

    it('the owner revokes an admin, who becomes a user', () => {
      spec
        .given([registered, madeAdmin])
        .when(command({ type: 'RevokeAdmin', admin: owner }))
        .then([
          { type: 'MemberAdminRevoked', data: { ...ids, role: 'user', previousRole: 'admin', wasPending: false, changedBy: owner.id, changedAt: LATER } },
        ]);
    });

    it('revoking turns a pending proposal down', () => {
      spec
        .given([registered, proposed])
        .when(command({ type: 'RevokeAdmin', admin: owner }))
        .then([{ type: 'MemberAdminRevoked', data: { ...ids, role: 'user', previousRole: 'user', wasPending: true, changedBy: owner.id, changedAt: LATER } }]);
    });

    it('revoking a plain user or the owner changes nothing', () => {
      spec
        .given([registered])
        .when(command({ type: 'RevokeAdmin', admin: owner }))
        .then([]);
      spec
        .given([registered, ownerRecognized])
        .when(command({ type: 'RevokeAdmin', admin: owner }))
        .then([]);
    });

    it('an admin cannot revoke another admin', () => {
      spec
        .given([registered, madeAdmin])
        .when(command({ type: 'RevokeAdmin', admin }))
        .thenThrows(OwnerOnlyError);
    });

    it('a revoked admin can be proposed again', () => {
      const revoked = membershipDecider.decide(command({ type: 'RevokeAdmin', admin: owner }), fold([registered, madeAdmin]));
      spec
        .given([registered, madeAdmin, ...revoked])
        .when(command({ type: 'ProposeAdmin', admin }))
        .then([{ type: 'MemberAdminProposed', data: { ...ids, proposedBy: admin.id, proposedAt: LATER } }]);
    });
  });

  describe('blocking', () => {
    it('an admin blocks a user with a trimmed reason', () => {
      spec
        .given([registered])
        .when(command({ type: 'BlockMember', admin, reason: '  spam  ' }))
        .then([
          {
            type: 'MemberBlocked',
            data: { ...ids, reason: 'spam', status: 'blocked_by_admin', previousStatus: 'active', changedBy: admin.id, changedAt: LATER },
          },
        ]);
    });

    it.each([[''], ['   '], ['x'.repeat(201)]])('refuses the reason %j', (reason) => {
      spec
        .given([registered])
        .when(command({ type: 'BlockMember', admin, reason }))
        .thenThrows(ReasonRequiredError, (e) => expect(e).toMatchObject({ code: 'USERS.REASON_REQUIRED' }));
    });

    it('accepts a reason of exactly 200 characters', () => {
      const reason = 'y'.repeat(200);
      spec
        .given([registered])
        .when(command({ type: 'BlockMember', admin, reason }))
        .then([
          { type: 'MemberBlocked', data: { ...ids, reason, status: 'blocked_by_admin', previousStatus: 'active', changedBy: admin.id, changedAt: LATER } },
        ]);
    });

    it('blocking a blocked member changes nothing', () => {
      spec
        .given([registered, blocked])
        .when(command({ type: 'BlockMember', admin, reason: 'again' }))
        .then([]);
    });

    it('a plain user cannot block', () => {
      spec
        .given([registered])
        .when(command({ type: 'BlockMember', admin: plainUser, reason: 'spam' }))
        .thenThrows(NotAnAdminError, (e) => expect(e).toMatchObject({ code: 'USERS.NOT_AN_ADMIN' }));
    });

    it('an admin cannot block another admin, the owner can', () => {
      spec
        .given([registered, madeAdmin])
        .when(command({ type: 'BlockMember', admin, reason: 'spam' }))
        .thenThrows(CannotBlockAdminError, (e) => expect(e).toMatchObject({ code: 'USERS.CANNOT_BLOCK_ADMIN' }));
      spec
        .given([registered, madeAdmin])
        .when(command({ type: 'BlockMember', admin: owner, reason: 'rogue' }))
        .then([
          {
            type: 'MemberBlocked',
            data: { ...ids, reason: 'rogue', status: 'blocked_by_admin', previousStatus: 'active', changedBy: owner.id, changedAt: LATER },
          },
        ]);
    });

    it('nobody blocks the owner, not even the API token', () => {
      spec
        .given([registered, ownerRecognized])
        .when(command({ type: 'BlockMember', admin, reason: 'coup' }))
        .thenThrows(CannotBlockAdminError);
      spec
        .given([registered, ownerRecognized])
        .when(command({ type: 'BlockMember', admin: apiToken, reason: 'coup' }))
        .thenThrows(CannotBlockAdminError);
    });

    it('nobody blocks themself', () => {
      const self: ActingAdmin = { id: 'telegram:42', role: 'admin', telegramUserId: 42 };
      spec
        .given([registered])
        .when(command({ type: 'BlockMember', admin: self, reason: 'oops' }))
        .thenThrows(CannotBlockSelfError);
    });

    it('an admin unblocks a user', () => {
      spec
        .given([registered, blocked])
        .when(command({ type: 'UnblockMember', admin }))
        .then([{ type: 'MemberUnblocked', data: { ...ids, status: 'active', previousStatus: 'blocked_by_admin', changedBy: admin.id, changedAt: LATER } }]);
    });

    it('unblocking a member who is not blocked changes nothing', () => {
      spec
        .given([registered])
        .when(command({ type: 'UnblockMember', admin }))
        .then([]);
    });

    it('only the owner unblocks an admin', () => {
      const blockedAdmin: MemberBlocked = { type: 'MemberBlocked', data: { ...blocked.data, changedBy: owner.id } };
      spec
        .given([registered, madeAdmin, blockedAdmin])
        .when(command({ type: 'UnblockMember', admin }))
        .thenThrows(CannotBlockAdminError);
      spec
        .given([registered, blocked])
        .when(command({ type: 'UnblockMember', admin: plainUser }))
        .thenThrows(NotAnAdminError);
    });
  });

  describe('the user blocking the bot', () => {
    it('is recorded with the status it leads to', () => {
      spec
        .given([registered])
        .when(command({ type: 'RecordBotBlocked', blocked: true }))
        .then([
          { type: 'BotBlockedByUser', data: { ...ids, status: 'bot_blocked_by_user', previousStatus: 'active', changedBy: 'telegram:42', changedAt: LATER } },
        ]);
    });

    it('is recorded once, and unblocking returns to active', () => {
      const botBlocked = membershipDecider.decide(command({ type: 'RecordBotBlocked', blocked: true }), fold([registered]));
      spec
        .given([registered, ...botBlocked])
        .when(command({ type: 'RecordBotBlocked', blocked: true }))
        .then([]);
      spec
        .given([registered, ...botBlocked])
        .when(command({ type: 'RecordBotBlocked', blocked: false }))
        .then([
          { type: 'BotUnblockedByUser', data: { ...ids, status: 'active', previousStatus: 'bot_blocked_by_user', changedBy: 'telegram:42', changedAt: LATER } },
        ]);
      spec
        .given([registered])
        .when(command({ type: 'RecordBotBlocked', blocked: false }))
        .then([]);
    });

    it("keeps an admin's block as the status that matters, and reveals the bot block when the admin unblocks", () => {
      spec
        .given([registered, blocked])
        .when(command({ type: 'RecordBotBlocked', blocked: true }))
        .then([
          {
            type: 'BotBlockedByUser',
            data: { ...ids, status: 'blocked_by_admin', previousStatus: 'blocked_by_admin', changedBy: 'telegram:42', changedAt: LATER },
          },
        ]);
      const botBlocked = membershipDecider.decide(command({ type: 'RecordBotBlocked', blocked: true }), fold([registered, blocked]));
      spec
        .given([registered, blocked, ...botBlocked])
        .when(command({ type: 'UnblockMember', admin }))
        .then([
          {
            type: 'MemberUnblocked',
            data: { ...ids, status: 'bot_blocked_by_user', previousStatus: 'blocked_by_admin', changedBy: admin.id, changedAt: LATER },
          },
        ]);
    });
  });

  describe('language', () => {
    it('overrides the Telegram language, lower-cased', () => {
      spec
        .given([registered])
        .when(command({ type: 'SetLanguage', languageCode: 'EN' }))
        .then([{ type: 'MemberLanguageChanged', data: { ...ids, languageCode: 'en', changedAt: LATER } }]);
    });

    it('goes back to the Telegram language, remembering the previous choice', () => {
      const chosen = membershipDecider.decide(command({ type: 'SetLanguage', languageCode: 'en' }), fold([registered]));
      spec
        .given([registered, ...chosen])
        .when(command({ type: 'SetLanguage' }))
        .then([{ type: 'MemberLanguageChanged', data: { ...ids, previous: 'en', changedAt: LATER } }]);
    });

    it('choosing the current language, or none twice, changes nothing', () => {
      const chosen = membershipDecider.decide(command({ type: 'SetLanguage', languageCode: 'en' }), fold([registered]));
      spec
        .given([registered, ...chosen])
        .when(command({ type: 'SetLanguage', languageCode: 'en' }))
        .then([]);
      spec
        .given([registered])
        .when(command({ type: 'SetLanguage' }))
        .then([]);
    });
  });
});

function fold(events: Parameters<typeof membershipDecider.evolve>[1][]) {
  return events.reduce(membershipDecider.evolve, membershipDecider.initialState());
}
