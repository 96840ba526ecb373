import type {
  BotUpdateJson,
  DocumentPartJson,
  MemberContextJson,
  MemberJson,
  MemberViewJson,
  MessageKindJson,
  PhotoPartJson,
  RoleJson,
  UpdateKindJson,
} from '@botplatform/contracts';
import type { Message, Update } from 'grammy/types';
import type { Route, RouteKind, RoutingTable } from '../routing/routing-table.js';

/** The conversation step a chat is in: the member's next text, photo or document answers it. */
export interface AwaitingStep {
  /** The service that entered it (the only one that may). */
  readonly service: string;
  /** `<namespace>:<name>`, as declared. */
  readonly step: string;
  /** What the service kept when it entered the step, given back with the answer. */
  readonly data?: Readonly<Record<string, string>>;
}

/** The one trigger of a BotUpdate, as the protocol carries it. */
export type BotUpdateTrigger = Pick<BotUpdateJson, 'command' | 'callback' | 'step' | 'message' | 'preCheckout' | 'subscription' | 'myChatMember'>;

/** An update a service owns: where it goes, and what it sends there. */
export interface RoutedUpdate {
  readonly route: Route;
  readonly kind: RouteKind;
  /** What was routed, for logs: `/plans`, `plans:buy:3`, `plans:promo`, `MESSAGE_KIND_PHOTO`... */
  readonly name: string;
  readonly trigger: BotUpdateTrigger;
  /** The private chat (the sender's id for updates without a chat: pre-checkout, subscription). */
  readonly chatId: number;
}

export interface UpdateTranslation {
  /** Absent when no service owns the update: the host's own features get it. */
  readonly routed?: RoutedUpdate;
  /**
   * The chat's step ends before anything else happens: a command was sent instead of an answer (the
   * command cancels the question), or the step is no longer declared by its service.
   */
  readonly leaveStep: boolean;
}

export interface TranslationOptions {
  readonly table: RoutingTable;
  /** The chat's routed step, if any. */
  readonly awaiting?: AwaitingStep;
  /** The bot's own username: `/cmd@otherbot` in a group is not addressed to it. */
  readonly botUsername?: string;
}

/** A parsed `/command payload` (or `/command@bot payload`). */
export interface ParsedCommand {
  readonly command: string;
  readonly payload: string;
}

const COMMAND_TEXT = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/**
 * The command a message's text starts with, lower-cased, with what follows it as the payload;
 * `undefined` for text that is not a command, or a command addressed to another bot.
 */
export function parseCommand(text: string | undefined, botUsername?: string): ParsedCommand | undefined {
  if (!text?.startsWith('/')) return undefined;
  const match = COMMAND_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, command = '', mention, payload] = match;
  if (mention && botUsername && mention.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { command: command.toLowerCase(), payload: (payload ?? '').trim() };
}

/**
 * Decides whether (and where) an update is routed, and builds its trigger. The order: a callback by its
 * namespace; a command (which also ends a pending step); the answer to the chat's step (text, photo or
 * document that is not a command); a message kind (photo, document, successful or refunded payment);
 * an update kind (pre-checkout, subscription, my_chat_member). Pure: the flags and the session are the
 * caller's business.
 */
export function translateUpdate(update: Update, options: TranslationOptions): UpdateTranslation {
  const { table, awaiting } = options;
  // A step its service no longer declares (a redeployment dropped it) ends rather than swallowing text.
  const stepRoute = awaiting ? table.step(awaiting.step) : undefined;
  const stale = awaiting !== undefined && stepRoute?.service !== awaiting.service;

  const callback = update.callback_query;
  if (callback) {
    const data = callback.data;
    const route = data === undefined ? undefined : table.callback(data);
    if (!route || data === undefined) return { leaveStep: stale };
    const message = callback.message;
    return {
      leaveStep: stale,
      routed: {
        route,
        kind: 'callback_namespace',
        name: data,
        chatId: message?.chat.id ?? callback.from.id,
        trigger: {
          callback: {
            callbackQueryId: callback.id,
            data,
            messageId: String(message?.message_id ?? 0),
            ...(message && 'text' in message && message.text ? { messageText: message.text } : {}),
          },
        },
      },
    };
  }

  const message = update.message;
  if (message) {
    const command = parseCommand(message.text, options.botUsername);
    if (command) {
      // The gateway keeps /start, but a deep link (`/start promo_…`) goes to the service that declared its prefix.
      const route = command.command === 'start' ? table.deepLink(command.payload) : table.command(command.command);
      const leaveStep = awaiting !== undefined;
      if (!route) return { leaveStep };
      return {
        leaveStep,
        routed: {
          route,
          kind: 'command',
          name: `/${command.command}`,
          chatId: message.chat.id,
          trigger: { command: { command: command.command, payload: command.payload, messageId: String(message.message_id) } },
        },
      };
    }
    const answer = stepAnswerOf(message);
    if (awaiting && !stale && stepRoute && answer) {
      return {
        leaveStep: false,
        routed: {
          route: stepRoute,
          kind: 'step',
          name: awaiting.step,
          chatId: message.chat.id,
          trigger: {
            step: {
              step: awaiting.step,
              ...(awaiting.data && Object.keys(awaiting.data).length > 0 ? { data: { ...awaiting.data } } : {}),
              messageId: String(message.message_id),
              ...answer,
            },
          },
        },
      };
    }
    const kinded = messageKindOf(message);
    const route = kinded && table.messageKind(kinded.kind);
    if (!kinded || !route) return { leaveStep: stale };
    return {
      leaveStep: stale,
      routed: { route, kind: 'message_kind', name: kinded.kind, chatId: message.chat.id, trigger: { message: kinded } },
    };
  }

  const updateKind = updateKindOf(update);
  if (!updateKind) return { leaveStep: stale };
  const route = table.updateKind(updateKind.kind);
  if (!route) return { leaveStep: stale };
  return { leaveStep: stale, routed: { route, kind: 'update_kind', name: updateKind.kind, chatId: updateKind.chatId, trigger: updateKind.trigger } };
}

function photoOf(message: Message): PhotoPartJson | undefined {
  const sizes = message.photo;
  if (!sizes || sizes.length === 0) return undefined;
  // Telegram lists the sizes smallest first.
  const largest = sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  return { fileId: largest.file_id, fileUniqueId: largest.file_unique_id, width: largest.width, height: largest.height };
}

function documentOf(message: Message): DocumentPartJson | undefined {
  const document = message.document;
  if (!document) return undefined;
  return {
    fileId: document.file_id,
    fileUniqueId: document.file_unique_id,
    ...(document.file_name ? { fileName: document.file_name } : {}),
    ...(document.mime_type ? { mimeType: document.mime_type } : {}),
    ...(document.file_size !== undefined ? { fileSize: String(document.file_size) } : {}),
  };
}

/** A message that can answer a step: text, or a photo or document (with its caption). */
function stepAnswerOf(message: Message): { text?: string; photo?: PhotoPartJson; document?: DocumentPartJson } | undefined {
  const photo = photoOf(message);
  const document = documentOf(message);
  const text = message.text ?? message.caption;
  if (!photo && !document && message.text === undefined) return undefined;
  return { ...(text ? { text } : {}), ...(photo ? { photo } : {}), ...(document ? { document } : {}) };
}

function messageKindOf(message: Message): (NonNullable<BotUpdateJson['message']> & { kind: MessageKindJson }) | undefined {
  const messageId = String(message.message_id);
  const caption = message.caption ? { caption: message.caption } : {};
  const photo = photoOf(message);
  if (photo) return { kind: 'MESSAGE_KIND_PHOTO', messageId, ...caption, photo };
  const document = documentOf(message);
  if (document) return { kind: 'MESSAGE_KIND_DOCUMENT', messageId, ...caption, document };
  const paid = message.successful_payment;
  if (paid) {
    return {
      kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
      messageId,
      successfulPayment: {
        currency: paid.currency,
        totalAmount: String(paid.total_amount),
        invoicePayload: paid.invoice_payload,
        telegramPaymentChargeId: paid.telegram_payment_charge_id,
        ...(paid.provider_payment_charge_id ? { providerPaymentChargeId: paid.provider_payment_charge_id } : {}),
        ...(paid.subscription_expiration_date ? { subscriptionExpirationDate: String(paid.subscription_expiration_date) } : {}),
        ...(paid.is_recurring ? { isRecurring: true } : {}),
        ...(paid.is_first_recurring ? { isFirstRecurring: true } : {}),
      },
    };
  }
  const refunded = message.refunded_payment;
  if (refunded) {
    return {
      kind: 'MESSAGE_KIND_REFUNDED_PAYMENT',
      messageId,
      refundedPayment: {
        currency: refunded.currency,
        totalAmount: String(refunded.total_amount),
        invoicePayload: refunded.invoice_payload,
        telegramPaymentChargeId: refunded.telegram_payment_charge_id,
        ...(refunded.provider_payment_charge_id ? { providerPaymentChargeId: refunded.provider_payment_charge_id } : {}),
      },
    };
  }
  return undefined;
}

function updateKindOf(update: Update): { kind: UpdateKindJson; chatId: number; trigger: BotUpdateTrigger } | undefined {
  const checkout = update.pre_checkout_query;
  if (checkout) {
    return {
      kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY',
      chatId: checkout.from.id,
      trigger: {
        preCheckout: {
          preCheckoutQueryId: checkout.id,
          currency: checkout.currency,
          totalAmount: String(checkout.total_amount),
          invoicePayload: checkout.invoice_payload,
        },
      },
    };
  }
  const subscription = update.subscription;
  if (subscription) {
    return {
      kind: 'UPDATE_KIND_SUBSCRIPTION',
      chatId: subscription.user.id,
      trigger: { subscription: { invoicePayload: subscription.invoice_payload, state: subscription.state } },
    };
  }
  const chatMember = update.my_chat_member;
  // In groups the bot's own membership says nothing about a member: only private chats are routed.
  if (chatMember && chatMember.chat.type === 'private') {
    return {
      kind: 'UPDATE_KIND_MY_CHAT_MEMBER',
      chatId: chatMember.chat.id,
      trigger: { myChatMember: { oldStatus: chatMember.old_chat_member.status, newStatus: chatMember.new_chat_member.status } },
    };
  }
  return undefined;
}

const ROLES: Record<string, RoleJson> = { MEMBER_ROLE_USER: 'ROLE_USER', MEMBER_ROLE_ADMIN: 'ROLE_ADMIN', MEMBER_ROLE_OWNER: 'ROLE_OWNER' };

/** The protocol's view of a member, from the users service's. */
export function memberOf(view: MemberViewJson): MemberJson {
  return {
    ...(view.userId ? { userId: view.userId } : {}),
    ...(view.telegramUserId ? { telegramUserId: view.telegramUserId } : {}),
    ...(view.firstName ? { firstName: view.firstName } : {}),
    ...(view.lastName ? { lastName: view.lastName } : {}),
    ...(view.username ? { username: view.username } : {}),
    role: ROLES[view.role ?? ''] ?? 'ROLE_USER',
    ...(view.adminPending ? { adminPending: true } : {}),
    ...(view.isPremium ? { isPremium: true } : {}),
    ...(view.languageOverride ? { languageOverride: view.languageOverride } : {}),
    ...(view.joinedAt ? { joinedAt: String(view.joinedAt) } : {}),
  };
}

export interface BotUpdateInput {
  readonly updateId: number;
  readonly routed: RoutedUpdate;
  readonly context: MemberContextJson;
  /** The owning service's slice of the chat's session ("" or absent for none). */
  readonly sessionJson?: string;
}

/** What `rpc.<service>.handle-bot-update` receives (int64 fields as strings, as proto JSON has them). */
export function buildBotUpdate({ updateId, routed, context, sessionJson }: BotUpdateInput): BotUpdateJson {
  return {
    context,
    updateId: String(updateId),
    chatId: String(routed.chatId),
    ...routed.trigger,
    ...(sessionJson ? { sessionJson } : {}),
  };
}
