import type { Decider, DomainEvent } from '@botplatform/event-store';

/** A Telegram user's profile as Telegram reports it. Absent optional fields are left out, never `undefined`. */
export interface TelegramProfile {
  readonly username?: string;
  readonly firstName: string;
  readonly lastName?: string;
  readonly languageCode?: string;
  readonly isPremium: boolean;
}

/** Telegram reported the user's profile (on any update): create the identity or refresh it. */
export interface UpsertIdentity {
  readonly type: 'UpsertIdentity';
  /** The bot through which the profile arrived (the event's tenant). */
  readonly botId: string;
  readonly telegramUserId: number;
  /** `identityIdOf(telegramUserId)`. */
  readonly userId: string;
  readonly profile: TelegramProfile;
  /** ISO time of the command. */
  readonly now: string;
}

export type IdentityCommand = UpsertIdentity;

export type IdentityCreated = DomainEvent<
  'IdentityCreated',
  { botId: string; userId: string; telegramUserId: number; profile: TelegramProfile; createdAt: string }
>;

export type IdentityProfileChanged = DomainEvent<
  'IdentityProfileChanged',
  { botId: string; userId: string; telegramUserId: number; profile: TelegramProfile; previous: TelegramProfile; changedAt: string }
>;

export type IdentityEvent = IdentityCreated | IdentityProfileChanged;

export type IdentityState = { readonly exists: false } | { readonly exists: true; readonly userId: string; readonly profile: TelegramProfile };

/**
 * One platform identity per Telegram user, shared by every bot. Telegram sends the profile with every
 * update, so the identity records only differences: an unchanged profile decides nothing.
 */
export const identityDecider: Decider<IdentityState, IdentityCommand, IdentityEvent> = {
  initialState: () => ({ exists: false }),

  evolve: (_state, event) => {
    switch (event.type) {
      case 'IdentityCreated':
      case 'IdentityProfileChanged':
        return { exists: true, userId: event.data.userId, profile: event.data.profile };
    }
  },

  decide: (command, state) => {
    const profile = normalizeProfile(command.profile);
    const { botId, userId, telegramUserId, now } = command;
    if (!state.exists) return [{ type: 'IdentityCreated', data: { botId, userId, telegramUserId, profile, createdAt: now } }];
    if (sameProfile(state.profile, profile)) return [];
    return [{ type: 'IdentityProfileChanged', data: { botId, userId, telegramUserId, profile, previous: state.profile, changedAt: now } }];
  },
};

/** Drops empty optional fields, so `{ username: undefined }`, `{ username: '' }` and `{}` are one profile. */
export function normalizeProfile(profile: TelegramProfile): TelegramProfile {
  return {
    ...(profile.username ? { username: profile.username } : {}),
    firstName: profile.firstName,
    ...(profile.lastName ? { lastName: profile.lastName } : {}),
    ...(profile.languageCode ? { languageCode: profile.languageCode } : {}),
    isPremium: profile.isPremium,
  };
}

function sameProfile(a: TelegramProfile, b: TelegramProfile): boolean {
  return (
    a.username === b.username && a.firstName === b.firstName && a.lastName === b.lastName && a.languageCode === b.languageCode && a.isPremium === b.isPremium
  );
}

/** The stream of one Telegram user's identity. */
export const identityStreamId = (telegramUserId: number): string => `identity-${telegramUserId}`;
