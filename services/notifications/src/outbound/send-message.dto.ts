import type { InlineButtonJson, InlineButtonRowJson, SendMessageRequestJson } from '@botplatform/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';

// Telegram's limits: 64 bytes of callback data, 100 buttons per keyboard, 4096 characters of text.
const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_BUTTONS = 100;

function MaxUtf8Bytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxUtf8Bytes',
      validator: {
        validate: (value) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: (args) => `${args?.property} must be at most ${max} bytes in UTF-8`,
      },
    },
    options,
  );
}

/** The decorated property may not be given together with `other`. */
function NotTogetherWith(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notTogetherWith',
    validator: {
      validate: (_value, args) => (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
      defaultMessage: (args) => `a button has either ${other} or ${args?.property}, not both`,
    },
  });
}

function MaxButtonsInAll(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'maxButtonsInAll',
    validator: {
      validate: (rows) =>
        Array.isArray(rows) && rows.reduce((sum: number, row: { buttons?: unknown }) => sum + (Array.isArray(row?.buttons) ? row.buttons.length : 0), 0) <= max,
      defaultMessage: () => `a keyboard has at most ${max} buttons`,
    },
  });
}

/** One inline button: a callback button (`callbackData`) or a link (`url`). */
export class InlineButtonDto implements InlineButtonJson {
  @IsString()
  @Length(1, 128)
  text: string;

  @ValidateIf((button: InlineButtonDto) => button.url === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxUtf8Bytes(MAX_CALLBACK_DATA_BYTES)
  callbackData?: string;

  @ValidateIf((button: InlineButtonDto) => button.url !== undefined || button.callbackData === undefined)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2048)
  @NotTogetherWith('callbackData')
  url?: string;
}

export class InlineButtonRowDto implements InlineButtonRowJson {
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => InlineButtonDto)
  buttons: InlineButtonDto[];
}

/**
 * `rpc.notifications.send-message` as it arrives: the contract's JSON form (int64 as a decimal string),
 * checked field by field against Telegram's limits, so a request that is accepted can be sent.
 */
export class SendMessageDto implements SendMessageRequestJson {
  @IsUUID()
  requestId: string;

  @IsUUID()
  botId: string;

  // Users have positive ids, groups and supergroups negative ones (-100… for supergroups).
  @Matches(/^-?[1-9][0-9]{0,15}$/, { message: 'chatId must be a Telegram chat id (a non-zero integer)' })
  chatId: string;

  @IsString()
  @Length(1, 4096)
  text: string;

  @IsOptional()
  @IsIn(['HTML', 'MarkdownV2'])
  parseMode?: 'HTML' | 'MarkdownV2';

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InlineButtonRowDto)
  @MaxButtonsInAll(MAX_BUTTONS)
  buttons?: InlineButtonRowDto[];

  @IsOptional()
  @IsBoolean()
  disableNotification?: boolean;

  /** A forum topic of the chat (Telegram's `message_thread_id`). */
  @IsOptional()
  @IsInt()
  @Min(1)
  messageThreadId?: number;

  @IsString()
  @Length(1, 64)
  purpose: string;
}
