/** Extra fields Telegram attaches to some errors (`retry_after` on 429, `migrate_to_chat_id` on group upgrades). */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/**
 * An error answered to a bot exactly as the Bot API would: the HTTP status equals `error_code`,
 * and `description` carries Telegram's own wording (clients match on it).
 */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'TelegramApiError';
  }

  /** The `{ ok: false, ... }` body Telegram sends for this error. */
  toResponseBody(): { ok: false; error_code: number; description: string; parameters?: ResponseParameters } {
    return {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
      ...(this.parameters ? { parameters: this.parameters } : {}),
    };
  }
}

/** 400 with the `Bad Request: ` prefix Telegram puts in front of every validation message. */
export function badRequest(message: string): TelegramApiError {
  return new TelegramApiError(400, `Bad Request: ${message}`);
}

/** 403 with the `Forbidden: ` prefix (blocked bot, not a member, can't initiate a conversation). */
export function forbidden(message: string): TelegramApiError {
  return new TelegramApiError(403, `Forbidden: ${message}`);
}

/** 409 used for getUpdates/webhook conflicts; the description is passed whole. */
export function conflict(description: string): TelegramApiError {
  return new TelegramApiError(409, description);
}

/** 429 flood-wait answer with `parameters.retry_after` in whole seconds. */
export function tooManyRequests(retryAfterSeconds: number): TelegramApiError {
  return new TelegramApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}

export const unauthorized = (): TelegramApiError => new TelegramApiError(401, 'Unauthorized');
export const notFound = (): TelegramApiError => new TelegramApiError(404, 'Not Found');

/**
 * Telegram descriptions that several methods share, in one place so a typo cannot make
 * two methods disagree. Texts come from the official Bot API server (tdlib/telegram-bot-api)
 * and from errors bots report in the wild.
 */
export const TelegramErrors = {
  chatNotFound: () => badRequest('chat not found'),
  chatIdEmpty: () => badRequest('chat_id is empty'),
  userNotFound: () => badRequest('user not found'),
  invalidUserId: (field = 'user_id') => badRequest(`invalid ${field} specified`),
  messageTextEmpty: () => badRequest('message text is empty'),
  messageTooLong: () => badRequest('message is too long'),
  captionTooLong: () => badRequest('message caption is too long'),
  messageNotModified: () =>
    badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    ),
  messageToEditNotFound: () => badRequest('message to edit not found'),
  messageCantBeEdited: () => badRequest("message can't be edited"),
  noTextToEdit: () => badRequest('there is no text in the message to edit'),
  messageToDeleteNotFound: () => badRequest('message to delete not found'),
  messageCantBeDeletedForEveryone: () => badRequest("message can't be deleted for everyone"),
  messageIdNotSpecified: () => badRequest('message identifier is not specified'),
  replyMessageNotFound: () => badRequest('message to be replied not found'),
  queryTooOld: () => badRequest('query is too old and response timeout expired or query ID is invalid'),
  parameterRequired: (name: string) => badRequest(`parameter "${name}" is required`),
  botBlocked: () => forbidden('bot was blocked by the user'),
  cantInitiateConversation: () => forbidden("bot can't initiate conversation with a user"),
  notAGroupMember: (type: 'group' | 'supergroup') => forbidden(`bot is not a member of the ${type} chat`),
  wrongFileId: () => badRequest('wrong file identifier/HTTP URL specified'),
  webhookActive: () => conflict("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"),
  terminatedByOtherGetUpdates: () => conflict('Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'),
  terminatedBySetWebhook: () => conflict('Conflict: terminated by setWebhook request'),
} as const;
