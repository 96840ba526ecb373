import type { Decider, DomainEvent } from '@botplatform/event-store';
import { BroadcastError } from './broadcast.errors.js';

/** Telegram's two rich-text modes; plain text when absent. */
export type BroadcastParseMode = 'HTML' | 'MarkdownV2';

/** A link button under the broadcast (callback buttons would need a handler in every member's chat). */
export interface BroadcastButton {
  readonly text: string;
  readonly url: string;
}

/**
 * Who a broadcast reaches, read from the service's own audience projection (`notification_recipients`):
 * members the bot's admins have not blocked and who have not blocked the bot, narrowed by one criterion.
 */
export type BroadcastAudience =
  | { readonly kind: 'all' }
  /** A paid plan, not a trial, not ended. */
  | { readonly kind: 'premium' }
  /** No plan, or one that ended. */
  | { readonly kind: 'free' }
  /** A trial that has not ended. */
  | { readonly kind: 'trial' }
  /** Not seen for `days` days (registration time when never seen). */
  | { readonly kind: 'inactive'; readonly days: number }
  /** Registered after `date` (ISO time). */
  | { readonly kind: 'joined_after'; readonly date: string }
  /** Whose language (the one chosen in the bot, else Telegram's) starts with `language`. */
  | { readonly kind: 'language'; readonly language: string }
  | { readonly kind: 'referral'; readonly source: string };

/** What became of the audience: every member is counted once, under one outcome. */
export interface BroadcastReport {
  readonly sent: number;
  readonly failed: number;
  /** They had blocked the bot (a 403 during this broadcast). */
  readonly blocked: number;
  /** Known to have blocked the bot (or blocked by the admins) when the broadcast was confirmed: not sent to. */
  readonly skipped: number;
  /** Not sent because the broadcast was cancelled first. */
  readonly cancelled: number;
}

export interface DraftBroadcast {
  readonly type: 'DraftBroadcast';
  readonly broadcastId: string;
  readonly botId: string;
  /** The admin who writes it (their Telegram id), who gets the progress. */
  readonly adminTelegramUserId: number;
  /** The message's text, or the photo's caption (may be empty with a photo). */
  readonly text: string;
  readonly parseMode?: BroadcastParseMode;
  /** A photo (a Telegram file id, or an http(s) URL) sent with the text as its caption. */
  readonly photo?: string;
  readonly buttons: readonly BroadcastButton[];
  readonly now: string;
}

/** The admin's message that shows the broadcast's progress, edited as it goes. */
export interface BroadcastProgressMessage {
  readonly chatId: number;
  readonly messageId: number;
}

export interface ChooseBroadcastAudience {
  readonly type: 'ChooseBroadcastAudience';
  readonly audience: BroadcastAudience;
  readonly now: string;
}

export interface ConfirmBroadcast {
  readonly type: 'ConfirmBroadcast';
  /** Members materialised as recipients (the count the admin saw, taken again at confirmation). */
  readonly audienceSize: number;
  /** Of those, already known to have blocked the bot: skipped. */
  readonly skipped: number;
  /** Messages per second the sender aims at. */
  readonly ratePerSecond: number;
  /** Sent with `allow_paid_broadcast` (the bot opted in). */
  readonly paid: boolean;
  /** The service's ceiling for this kind of broadcast (`BroadcastSettings`: 30/s free, 1000/s paid by default). */
  readonly maxRatePerSecond: number;
  /** The message to keep the progress in (the one the admin confirmed from). */
  readonly progressMessage?: BroadcastProgressMessage;
  readonly now: string;
}

export interface PauseBroadcast {
  readonly type: 'PauseBroadcast';
  readonly now: string;
}
export interface ResumeBroadcast {
  readonly type: 'ResumeBroadcast';
  readonly now: string;
}
export interface CancelBroadcast {
  readonly type: 'CancelBroadcast';
  readonly now: string;
}
export interface FinishBroadcast {
  readonly type: 'FinishBroadcast';
  readonly report: BroadcastReport;
  readonly now: string;
}

export type BroadcastCommand =
  | DraftBroadcast
  | ChooseBroadcastAudience
  | ConfirmBroadcast
  | PauseBroadcast
  | ResumeBroadcast
  | CancelBroadcast
  | FinishBroadcast;

export type BroadcastDrafted = DomainEvent<
  'BroadcastDrafted',
  {
    broadcastId: string;
    botId: string;
    adminTelegramUserId: number;
    text: string;
    parseMode?: BroadcastParseMode;
    photo?: string;
    buttons: BroadcastButton[];
    draftedAt: string;
  }
>;
export type BroadcastAudienceChosen = DomainEvent<'BroadcastAudienceChosen', { audience: BroadcastAudience; chosenAt: string }>;
export type BroadcastConfirmed = DomainEvent<
  'BroadcastConfirmed',
  {
    audienceSize: number;
    skipped: number;
    ratePerSecond: number;
    paid: boolean;
    progressMessage?: BroadcastProgressMessage;
    confirmedAt: string;
  }
>;
export type BroadcastPaused = DomainEvent<'BroadcastPaused', { pausedAt: string }>;
export type BroadcastResumed = DomainEvent<'BroadcastResumed', { resumedAt: string }>;
export type BroadcastCancelled = DomainEvent<'BroadcastCancelled', { cancelledAt: string }>;
export type BroadcastFinished = DomainEvent<'BroadcastFinished', { report: BroadcastReport; finishedAt: string }>;

export type BroadcastEvent =
  | BroadcastDrafted
  | BroadcastAudienceChosen
  | BroadcastConfirmed
  | BroadcastPaused
  | BroadcastResumed
  | BroadcastCancelled
  | BroadcastFinished;

export type BroadcastStatus = 'none' | 'draft' | 'sending' | 'paused' | 'cancelled' | 'finished';

export interface BroadcastState {
  readonly status: BroadcastStatus;
  readonly botId?: string;
  readonly audience?: BroadcastAudience;
  /** Set once confirmed. */
  readonly audienceSize?: number;
  /** The broadcast was cancelled (it may be finished since, with the cancelled ones counted). */
  readonly cancelled?: boolean;
  readonly report?: BroadcastReport;
}

const MAX_TEXT = 4096;
/** Telegram's limit of a photo's caption. */
const MAX_CAPTION = 1024;
const MAX_BUTTONS = 10;

const invalid = (message: string) => new BroadcastError('NOTIFICATIONS.BROADCAST_INVALID', message);

function validateContent(command: DraftBroadcast): void {
  if (command.photo !== undefined) {
    if (!/^[A-Za-z0-9_-]{10,255}$/.test(command.photo) && !/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(command.photo))
      throw invalid('not a photo: a file id or an http(s) link');
    if (command.text.length > MAX_CAPTION) throw invalid(`a photo's caption has at most ${MAX_CAPTION} characters`);
  } else if (command.text.trim().length === 0 || command.text.length > MAX_TEXT) throw invalid(`the text must have 1 to ${MAX_TEXT} characters`);
  if (command.buttons.length > MAX_BUTTONS) throw invalid(`at most ${MAX_BUTTONS} buttons`);
  for (const button of command.buttons) {
    if (button.text.trim().length === 0 || button.text.length > 64) throw invalid('a button needs a label of 1 to 64 characters');
    if (!/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(button.url) || button.url.length > 2048) throw invalid(`not an http(s) link: ${button.url}`);
  }
}

function validateAudience(audience: BroadcastAudience): void {
  switch (audience.kind) {
    case 'all':
    case 'premium':
    case 'free':
    case 'trial':
      return;
    case 'inactive':
      if (!Number.isInteger(audience.days) || audience.days < 1 || audience.days > 3650) throw invalid('inactive days must be a whole number from 1 to 3650');
      return;
    case 'joined_after':
      if (Number.isNaN(Date.parse(audience.date))) throw invalid(`not a date: ${audience.date}`);
      return;
    case 'language':
      if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(audience.language)) throw invalid(`not a language code: ${audience.language}`);
      return;
    case 'referral':
      if (audience.source.trim().length === 0 || audience.source.length > 64) throw invalid('a referral source has 1 to 64 characters');
      return;
    default:
      throw invalid(`unknown audience ${(audience as { kind: string }).kind}`);
  }
}

function notOver(state: BroadcastState): void {
  if (state.status === 'none') throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_FOUND', 'no such broadcast');
  if (state.status === 'finished') throw new BroadcastError('NOTIFICATIONS.BROADCAST_OVER', 'the broadcast is finished');
}

/**
 * One broadcast: drafted (text, buttons), given an audience, confirmed (its recipients materialised in the
 * same transaction, see `BroadcastProjection`), then sent by `BroadcastSender`, which may be paused,
 * resumed or cancelled, and finishes with a report. Repeating a pause, resume, cancel or finish that
 * already took effect decides nothing, so a retried press of a button is harmless.
 */
export const broadcastDecider: Decider<BroadcastState, BroadcastCommand, BroadcastEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'BroadcastDrafted':
        return { status: 'draft', botId: event.data.botId };
      case 'BroadcastAudienceChosen':
        return { ...state, audience: event.data.audience };
      case 'BroadcastConfirmed':
        return { ...state, status: 'sending', audienceSize: event.data.audienceSize };
      case 'BroadcastPaused':
        return { ...state, status: 'paused' };
      case 'BroadcastResumed':
        return { ...state, status: 'sending' };
      case 'BroadcastCancelled':
        return { ...state, status: 'cancelled', cancelled: true };
      case 'BroadcastFinished':
        return { ...state, status: 'finished', report: event.data.report };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'DraftBroadcast': {
        if (state.status !== 'none') {
          if (state.status === 'draft') throw invalid('this broadcast is already drafted');
          throw new BroadcastError('NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED', 'the broadcast is already confirmed');
        }
        validateContent(command);
        return [
          {
            type: 'BroadcastDrafted',
            data: {
              broadcastId: command.broadcastId,
              botId: command.botId,
              adminTelegramUserId: command.adminTelegramUserId,
              text: command.text,
              ...(command.parseMode ? { parseMode: command.parseMode } : {}),
              ...(command.photo !== undefined ? { photo: command.photo } : {}),
              buttons: command.buttons.map((b) => ({ text: b.text, url: b.url })),
              draftedAt: command.now,
            },
          },
        ];
      }
      case 'ChooseBroadcastAudience': {
        if (state.status === 'none') throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_FOUND', 'no such broadcast');
        if (state.status !== 'draft') throw new BroadcastError('NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED', 'the broadcast is already confirmed');
        validateAudience(command.audience);
        return [{ type: 'BroadcastAudienceChosen', data: { audience: command.audience, chosenAt: command.now } }];
      }
      case 'ConfirmBroadcast': {
        if (state.status === 'none') throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_FOUND', 'no such broadcast');
        if (state.status !== 'draft') {
          if (state.status === 'cancelled' || state.status === 'finished') throw new BroadcastError('NOTIFICATIONS.BROADCAST_OVER', 'the broadcast is over');
          throw new BroadcastError('NOTIFICATIONS.BROADCAST_ALREADY_CONFIRMED', 'the broadcast is already confirmed');
        }
        if (!state.audience) throw new BroadcastError('NOTIFICATIONS.BROADCAST_NO_AUDIENCE', 'choose an audience first');
        if (command.audienceSize - command.skipped <= 0)
          throw new BroadcastError('NOTIFICATIONS.BROADCAST_EMPTY_AUDIENCE', 'the audience has no one to send to');
        const max = command.maxRatePerSecond;
        if (!(command.ratePerSecond > 0 && command.ratePerSecond <= max)) throw invalid(`the rate must be above 0 and at most ${max} messages per second`);
        return [
          {
            type: 'BroadcastConfirmed',
            data: {
              audienceSize: command.audienceSize,
              skipped: command.skipped,
              ratePerSecond: command.ratePerSecond,
              paid: command.paid,
              ...(command.progressMessage ? { progressMessage: { chatId: command.progressMessage.chatId, messageId: command.progressMessage.messageId } } : {}),
              confirmedAt: command.now,
            },
          },
        ];
      }
      case 'PauseBroadcast': {
        notOver(state);
        if (state.status === 'paused') return [];
        if (state.status !== 'sending') throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_RUNNING', `a ${state.status} broadcast cannot be paused`);
        return [{ type: 'BroadcastPaused', data: { pausedAt: command.now } }];
      }
      case 'ResumeBroadcast': {
        notOver(state);
        if (state.status === 'sending') return [];
        if (state.status !== 'paused') throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_RUNNING', `a ${state.status} broadcast cannot be resumed`);
        return [{ type: 'BroadcastResumed', data: { resumedAt: command.now } }];
      }
      case 'CancelBroadcast': {
        if (state.status === 'none') throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_FOUND', 'no such broadcast');
        if (state.status === 'cancelled' || (state.status === 'finished' && state.cancelled)) return [];
        if (state.status === 'finished') throw new BroadcastError('NOTIFICATIONS.BROADCAST_OVER', 'the broadcast is finished');
        return [{ type: 'BroadcastCancelled', data: { cancelledAt: command.now } }];
      }
      case 'FinishBroadcast': {
        if (state.status === 'finished') return [];
        if (state.status !== 'sending' && state.status !== 'cancelled') {
          throw new BroadcastError('NOTIFICATIONS.BROADCAST_NOT_RUNNING', `a ${state.status} broadcast cannot finish`);
        }
        const { sent, failed, blocked, skipped, cancelled } = command.report;
        if (sent + failed + blocked + skipped + cancelled !== state.audienceSize) {
          throw invalid(`the report counts ${sent + failed + blocked + skipped + cancelled} members of ${state.audienceSize}`);
        }
        if (cancelled > 0 && !state.cancelled) throw invalid('only a cancelled broadcast leaves members unsent');
        return [{ type: 'BroadcastFinished', data: { report: { ...command.report }, finishedAt: command.now } }];
      }
    }
  },
};

/** The stream of one broadcast. */
export const broadcastStreamId = (broadcastId: string): string => `broadcast-${broadcastId}`;
