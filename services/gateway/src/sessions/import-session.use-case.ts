import { SESSION_SLICE_MAX_BYTES } from '@botplatform/bot-kit';
import type { ImportSessionReplyJson } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { InvalidSessionError, SessionTooLargeError } from './import-session.errors.js';

/**
 * `rpc.gateway.import-session`: a legacy bot's session of a member becomes one service's slice
 * (`serviceSlices[service]`, what its `ctx.session()` reads) of the member's private chat with the bot, whose
 * session key is the chat id, i.e. the Telegram user id (hosting/hosted-bot.ts `chatKey`). One statement that
 * writes only when the chat has no slice of that service: a second import, or one after the bot wrote the
 * slice itself, changes nothing. Reads of the session always go to the table (sessions/mikro-orm-session.storage.ts),
 * so a running bot sees the slice on the member's next update.
 */
@Injectable()
export class ImportSessionUseCase {
  constructor(private readonly orm: MikroORM) {}

  async execute(input: { botId: string; telegramUserId: string; service: string; sessionJson: string }): Promise<ImportSessionReplyJson> {
    const bytes = Buffer.byteLength(input.sessionJson, 'utf8');
    if (bytes > SESSION_SLICE_MAX_BYTES) throw new SessionTooLargeError(bytes, SESSION_SLICE_MAX_BYTES);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.sessionJson);
    } catch {
      throw new InvalidSessionError('is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidSessionError('is not a JSON object');
    const table = `"${this.orm.config.get('schema')}".gateway_sessions`;
    const rows = await runSql<{ imported: boolean }>(
      this.orm.em.fork(),
      `INSERT INTO ${table} AS s (bot_id, key, value, updated_at)
         VALUES ($1, $2, jsonb_build_object('serviceSlices', jsonb_build_object($3::text, $4::text)), now())
       ON CONFLICT (bot_id, key) DO UPDATE
         SET value = jsonb_set(s.value, '{serviceSlices}', COALESCE(s.value -> 'serviceSlices', '{}'::jsonb) || jsonb_build_object($3::text, $4::text)),
             updated_at = now()
         WHERE NOT jsonb_exists(COALESCE(s.value -> 'serviceSlices', '{}'::jsonb), $3::text)
       RETURNING true AS imported`,
      [input.botId, input.telegramUserId, input.service, input.sessionJson],
    );
    return { imported: rows.length > 0 };
  }
}
