import { BotUpdateSchema, type BotUpdateJson } from '@botplatform/contracts';
import { fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { Injectable, type PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A Telegram user id: a positive integer of at most 52 bits, as a decimal string. */
const TELEGRAM_USER_ID = /^[1-9][0-9]{0,15}$/;

/** A `rpc.<service>.handle-bot-update` payload that is not a well-formed BotUpdate the gateway would send. */
export class InvalidBotUpdateError extends Error {
  readonly code = 'BOT.INVALID_UPDATE';
  constructor(reason: string) {
    super(`invalid bot update: ${reason}`);
    this.name = 'InvalidBotUpdateError';
  }
}

/**
 * Validates a routed update against its contract rather than a class-validator DTO: the BotUpdate has a
 * dozen nested messages and a oneof, which the generated schema already knows field by field (unknown
 * fields, wrong types, two triggers are refused). On top of it, what handlers rely on: a bot, a member
 * with a Telegram id, one trigger, and a session slice that parses. The result is the canonical JSON of
 * the message. Every service's `handle-bot-update` controller takes its payload through it:
 * `handleBotUpdate(@Payload(BotUpdatePipe) update: BotUpdateJson)`.
 */
@Injectable()
export class BotUpdatePipe implements PipeTransform<unknown, BotUpdateJson> {
  transform(value: unknown): BotUpdateJson {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidBotUpdateError('not an object');
    let update: BotUpdateJson;
    try {
      update = toJson(BotUpdateSchema, fromJson(BotUpdateSchema, value as JsonValue)) as BotUpdateJson;
    } catch (error) {
      throw new InvalidBotUpdateError(error instanceof Error ? error.message : String(error));
    }
    const context = update.context;
    if (!context?.botId || !UUID.test(context.botId)) throw new InvalidBotUpdateError('context.botId must be a bot id');
    if (!TELEGRAM_USER_ID.test(context.member?.telegramUserId ?? ''))
      throw new InvalidBotUpdateError('context.member.telegramUserId must be a Telegram user id');
    const triggers = [update.command, update.callback, update.step, update.message, update.preCheckout, update.subscription, update.myChatMember];
    if (!triggers.some((trigger) => trigger !== undefined)) throw new InvalidBotUpdateError('the update has no trigger');
    if (update.sessionJson) {
      try {
        JSON.parse(update.sessionJson);
      } catch {
        throw new InvalidBotUpdateError('sessionJson is not JSON');
      }
    }
    return update;
  }
}
