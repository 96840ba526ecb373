import { DeciderSpecification } from '@botplatform/event-store';
import {
  broadcastDecider,
  type BroadcastAudienceChosen,
  type BroadcastCancelled,
  type BroadcastConfirmed,
  type BroadcastDrafted,
  type BroadcastPaused,
  type DraftBroadcast,
} from './broadcast.decider.js';
import { BroadcastError } from './broadcast.errors.js';

const NOW = '2026-11-30T12:00:00.000Z';
const draft: DraftBroadcast = {
  type: 'DraftBroadcast',
  broadcastId: '6a1f0a52-1c1e-4a7e-9b61-3f1f0c8d2e10',
  botId: '0b7d6a52-1c1e-4a7e-9b61-3f1f0c8d2e10',
  adminTelegramUserId: 77,
  text: '<b>News</b>',
  parseMode: 'HTML',
  buttons: [{ text: 'Read', url: 'https://example.org/news' }],
  now: NOW,
};
const drafted: BroadcastDrafted = {
  type: 'BroadcastDrafted',
  data: {
    broadcastId: draft.broadcastId,
    botId: draft.botId,
    adminTelegramUserId: 77,
    text: '<b>News</b>',
    parseMode: 'HTML',
    buttons: [{ text: 'Read', url: 'https://example.org/news' }],
    draftedAt: NOW,
  },
};
const audienceChosen: BroadcastAudienceChosen = { type: 'BroadcastAudienceChosen', data: { audience: { kind: 'premium' }, chosenAt: NOW } };
const confirmed: BroadcastConfirmed = {
  type: 'BroadcastConfirmed',
  data: { audienceSize: 10, skipped: 2, ratePerSecond: 25, paid: false, confirmedAt: NOW },
};
const paused: BroadcastPaused = { type: 'BroadcastPaused', data: { pausedAt: NOW } };
const cancelled: BroadcastCancelled = { type: 'BroadcastCancelled', data: { cancelledAt: NOW } };
const report = { sent: 6, failed: 1, blocked: 1, skipped: 2, cancelled: 0 };

const withCode = (code: string) => (error: Error) => expect((error as BroadcastError).code).toBe(code);

describe('Broadcast', () => {
  const spec = DeciderSpecification.for(broadcastDecider);

  describe('drafting', () => {
    it('records the text, its parse mode and link buttons', () => {
      spec.given([]).when(draft).then([drafted]);
    });

    it('leaves the parse mode out of plain text', () => {
      const { parseMode: _, ...plain } = draft;
      const { parseMode: __, ...data } = drafted.data;
      spec
        .given([])
        .when(plain)
        .then([{ type: 'BroadcastDrafted', data }]);
    });

    it.each([
      ['empty text', { text: '  ' }],
      ['text over 4096 characters', { text: 'x'.repeat(4097) }],
      ['a button that is not an http link', { buttons: [{ text: 'A', url: 'javascript:alert(1)' }] }],
      ['a button without a label', { buttons: [{ text: '', url: 'https://example.org' }] }],
      ['eleven buttons', { buttons: Array.from({ length: 11 }, () => ({ text: 'A', url: 'https://example.org' })) }],
    ])('refuses %s', (_case, overrides) => {
      spec
        .given([])
        .when({ ...draft, ...overrides })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
    });

    it('records a photo with the text as its caption, which may then be empty', () => {
      const photo = 'AgACAgIAAxkBAAIBQ2Zk';
      spec
        .given([])
        .when({ ...draft, photo })
        .then([{ ...drafted, data: { ...drafted.data, photo } }]);
      spec
        .given([])
        .when({ ...draft, text: '', photo: 'https://example.org/sale.png' })
        .then([{ ...drafted, data: { ...drafted.data, text: '', photo: 'https://example.org/sale.png' } }]);
    });

    it.each([
      ['a caption over 1024 characters', { photo: 'AgACAgIAAxkBAAIBQ2Zk', text: 'x'.repeat(1025) }],
      ['a photo that is neither a file id nor an http link', { photo: 'file:///etc/passwd' }],
    ])('refuses %s', (_case, overrides) => {
      spec
        .given([])
        .when({ ...draft, ...overrides })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
    });

    it('refuses to draft a confirmed broadcast again', () => {
      spec.given([drafted, audienceChosen, confirmed]).when(draft).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED'));
    });
  });

  describe('choosing the audience', () => {
    it.each([
      [{ kind: 'all' as const }],
      [{ kind: 'free' as const }],
      [{ kind: 'trial' as const }],
      [{ kind: 'inactive' as const, days: 30 }],
      [{ kind: 'joined_after' as const, date: '2026-11-01T00:00:00.000Z' }],
      [{ kind: 'language' as const, language: 'ru' }],
      [{ kind: 'referral' as const, source: 'spring-campaign' }],
    ])('records %j', (audience) => {
      spec
        .given([drafted])
        .when({ type: 'ChooseBroadcastAudience', audience, now: NOW })
        .then([{ type: 'BroadcastAudienceChosen', data: { audience, chosenAt: NOW } }]);
    });

    it('may change its mind before confirming', () => {
      spec
        .given([drafted, audienceChosen])
        .when({ type: 'ChooseBroadcastAudience', audience: { kind: 'all' }, now: NOW })
        .then([{ type: 'BroadcastAudienceChosen', data: { audience: { kind: 'all' }, chosenAt: NOW } }]);
    });

    it.each([
      ['zero inactive days', { kind: 'inactive' as const, days: 0 }],
      ['fractional days', { kind: 'inactive' as const, days: 1.5 }],
      ['a date that is not one', { kind: 'joined_after' as const, date: 'yesterday' }],
      ['a language that is not a code', { kind: 'language' as const, language: 'Russian' }],
      ['an empty referral source', { kind: 'referral' as const, source: '' }],
    ])('refuses %s', (_case, audience) => {
      spec
        .given([drafted])
        .when({ type: 'ChooseBroadcastAudience', audience, now: NOW })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
    });

    it('refuses an unknown broadcast and a confirmed one', () => {
      const choose = { type: 'ChooseBroadcastAudience' as const, audience: { kind: 'all' as const }, now: NOW };
      spec.given([]).when(choose).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_NOT_FOUND'));
      spec.given([drafted, audienceChosen, confirmed]).when(choose).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED'));
    });
  });

  describe('confirming', () => {
    const confirm = { type: 'ConfirmBroadcast' as const, audienceSize: 10, skipped: 2, ratePerSecond: 25, paid: false, maxRatePerSecond: 30, now: NOW };

    it('starts sending with the audience counted', () => {
      spec.given([drafted, audienceChosen]).when(confirm).then([confirmed]);
    });

    it('keeps the message its progress is shown in, and the paid flag', () => {
      const progressMessage = { chatId: 77, messageId: 501 };
      spec
        .given([drafted, audienceChosen])
        .when({ ...confirm, paid: true, ratePerSecond: 900, maxRatePerSecond: 1000, progressMessage })
        .then([{ ...confirmed, data: { ...confirmed.data, paid: true, ratePerSecond: 900, progressMessage } }]);
    });

    it('needs an audience first', () => {
      spec.given([drafted]).when(confirm).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_NO_AUDIENCE'));
    });

    it('refuses an audience with no one to send to', () => {
      spec
        .given([drafted, audienceChosen])
        .when({ ...confirm, audienceSize: 3, skipped: 3 })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_EMPTY_AUDIENCE'));
    });

    it('keeps the rate within the ceiling it is given (30/s free, 1000/s paid)', () => {
      spec
        .given([drafted, audienceChosen])
        .when({ ...confirm, ratePerSecond: 31 })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
      spec
        .given([drafted, audienceChosen])
        .when({ ...confirm, ratePerSecond: 1000, paid: true, maxRatePerSecond: 1000 })
        .then([{ ...confirmed, data: { ...confirmed.data, ratePerSecond: 1000, paid: true } }]);
      spec
        .given([drafted, audienceChosen])
        .when({ ...confirm, ratePerSecond: 1001, paid: true, maxRatePerSecond: 1000 })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
    });

    it('refuses a second confirmation, and one after a cancel', () => {
      spec.given([drafted, audienceChosen, confirmed]).when(confirm).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED'));
      spec.given([drafted, audienceChosen, cancelled]).when(confirm).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_OVER'));
    });
  });

  describe('pausing, resuming and cancelling', () => {
    const pause = { type: 'PauseBroadcast' as const, now: NOW };
    const resume = { type: 'ResumeBroadcast' as const, now: NOW };
    const cancel = { type: 'CancelBroadcast' as const, now: NOW };

    it('pauses a sending broadcast and resumes it', () => {
      spec.given([drafted, audienceChosen, confirmed]).when(pause).then([paused]);
      spec
        .given([drafted, audienceChosen, confirmed, paused])
        .when(resume)
        .then([{ type: 'BroadcastResumed', data: { resumedAt: NOW } }]);
    });

    it('decides nothing for a pause of a paused broadcast or a resume of a sending one (a button pressed twice)', () => {
      spec.given([drafted, audienceChosen, confirmed, paused]).when(pause).then([]);
      spec.given([drafted, audienceChosen, confirmed]).when(resume).then([]);
    });

    it('refuses to pause a draft', () => {
      spec.given([drafted]).when(pause).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_NOT_RUNNING'));
    });

    it('cancels a draft, a sending and a paused broadcast, once', () => {
      spec.given([drafted]).when(cancel).then([cancelled]);
      spec.given([drafted, audienceChosen, confirmed]).when(cancel).then([cancelled]);
      spec.given([drafted, audienceChosen, confirmed, paused]).when(cancel).then([cancelled]);
      spec.given([drafted, audienceChosen, confirmed, cancelled]).when(cancel).then([]);
    });

    it('refuses to resume a cancelled broadcast', () => {
      spec.given([drafted, audienceChosen, confirmed, cancelled]).when(resume).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_NOT_RUNNING'));
    });
  });

  describe('finishing', () => {
    const finish = { type: 'FinishBroadcast' as const, report, now: NOW };

    it('keeps the report, once', () => {
      spec
        .given([drafted, audienceChosen, confirmed])
        .when(finish)
        .then([{ type: 'BroadcastFinished', data: { report, finishedAt: NOW } }]);
      spec
        .given([drafted, audienceChosen, confirmed, { type: 'BroadcastFinished', data: { report, finishedAt: NOW } }])
        .when(finish)
        .then([]);
    });

    it('refuses a report that does not count every member once', () => {
      spec
        .given([drafted, audienceChosen, confirmed])
        .when({ ...finish, report: { ...report, sent: 7 } })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
    });

    it('counts the members a cancel left unsent, and only after a cancel', () => {
      const cancelledReport = { sent: 3, failed: 0, blocked: 0, skipped: 2, cancelled: 5 };
      spec
        .given([drafted, audienceChosen, confirmed, cancelled])
        .when({ ...finish, report: cancelledReport })
        .then([{ type: 'BroadcastFinished', data: { report: cancelledReport, finishedAt: NOW } }]);
      spec
        .given([drafted, audienceChosen, confirmed])
        .when({ ...finish, report: cancelledReport })
        .thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_INVALID'));
    });

    it('does not finish a paused broadcast', () => {
      spec.given([drafted, audienceChosen, confirmed, paused]).when(finish).thenThrows(BroadcastError, withCode('NOTIFICATIONS.BROADCAST_NOT_RUNNING'));
    });
  });
});
