import type { Decider, DomainEvent } from '@botplatform/event-store';

/** A Telegram user's profile as Telegram reports it. */
export interface TelegramProfile {
  readonly username?: string;
  readonly firstName: string;
  readonly lastName?: string;
  readonly languageCode?: string;
  readonly isPremium: boolean;
}

export interface RegisterUser {
  readonly type: 'RegisterUser';
  readonly botId: string;
  readonly telegramUserId: number;
  /** The user's platform identity, the same in every bot (see `identityIdOf`). */
  readonly userId: string;
  readonly profile: TelegramProfile;
  readonly startPayload?: string;
  /** ISO time of the command. */
  readonly now: string;
}

export type UserCommand = RegisterUser;

export type UserRegistered = DomainEvent<
  'UserRegistered',
  {
    botId: string;
    userId: string;
    telegramUserId: number;
    profile: TelegramProfile;
    startPayload?: string;
    registeredAt: string;
  }
>;

export type UserEvent = UserRegistered;

export type UserState =
  | { readonly status: 'unregistered' }
  | { readonly status: 'registered'; readonly userId: string; readonly registeredAt: string };

/**
 * A Telegram user's membership in one bot. Registering again is not an error: /start is pressed many
 * times, and only the first press makes the user a member.
 */
export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'unregistered' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'registered', userId: event.data.userId, registeredAt: event.data.registeredAt };
    }
  },

  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterUser':
        if (state.status === 'registered') return [];
        return [
          {
            type: 'UserRegistered',
            data: {
              botId: command.botId,
              userId: command.userId,
              telegramUserId: command.telegramUserId,
              profile: command.profile,
              ...(command.startPayload ? { startPayload: command.startPayload } : {}),
              registeredAt: command.now,
            },
          },
        ];
    }
  },
};

/** The stream of one user's membership in one bot. */
export const membershipStreamId = (botId: string, telegramUserId: number): string => `membership-${botId}-${telegramUserId}`;
