import type { BotCommand } from 'grammy/types';
import { badRequest } from '../../errors/telegram-api.error.js';
import type { MethodGroup } from '../bot-api-method.js';
import type { MethodArguments } from '../method-arguments.js';

const SCOPES_WITHOUT_CHAT = new Set(['default', 'all_private_chats', 'all_group_chats', 'all_chat_administrators']);
const SCOPES_WITH_CHAT = new Set(['chat', 'chat_administrators', 'chat_member']);

/** Profile texts and their Bot API length limits. */
const PROFILE_TEXTS = {
  name: { argument: 'name', max: 64 },
  description: { argument: 'description', max: 512 },
  short_description: { argument: 'short_description', max: 120 },
} as const;

/** setMyCommands / getMyCommands / deleteMyCommands (per scope and language) and the profile texts. */
export const commandsMethods: MethodGroup = () => ({
  setMyCommands: ({ bot, args }) => {
    const commands = readCommands(args);
    const key = commandsKey(args);
    if (commands.length === 0) bot.commands.delete(key);
    else bot.commands.set(key, commands);
    return true;
  },

  getMyCommands: ({ bot, args }) => structuredClone(bot.commands.get(commandsKey(args)) ?? []),

  deleteMyCommands: ({ bot, args }) => {
    bot.commands.delete(commandsKey(args));
    return true;
  },

  setMyName: ({ bot, args }) => setProfileText(bot.profileTexts.get('name')!, args, 'name'),
  getMyName: ({ bot, args }) => ({ name: profileText(bot.profileTexts.get('name')!, args) ?? bot.firstName }),
  setMyDescription: ({ bot, args }) => setProfileText(bot.profileTexts.get('description')!, args, 'description'),
  getMyDescription: ({ bot, args }) => ({ description: profileText(bot.profileTexts.get('description')!, args) ?? '' }),
  setMyShortDescription: ({ bot, args }) => setProfileText(bot.profileTexts.get('short_description')!, args, 'short_description'),
  getMyShortDescription: ({ bot, args }) => ({
    short_description: profileText(bot.profileTexts.get('short_description')!, args) ?? '',
  }),
});

function readCommands(args: MethodArguments): BotCommand[] {
  const value = args.json('commands', 'commands');
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest('expected an Array of BotCommand');
  if (value.length > 100) throw badRequest('too many commands specified');
  return value.map((item): BotCommand => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw badRequest("can't parse BotCommand: expected an Object");
    }
    const { command, description } = item as Record<string, unknown>;
    if (typeof command !== 'string') throw badRequest('can\'t parse BotCommand: Can\'t find field "command"');
    if (typeof description !== 'string') throw badRequest('can\'t parse BotCommand: Can\'t find field "description"');
    const normalized = command.replace(/^\//, '').toLowerCase();
    if (!/^[a-z0-9_]{1,32}$/.test(normalized)) throw badRequest('BOT_COMMAND_INVALID');
    if (description.trim().length === 0 || description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    return { command: normalized, description };
  });
}

/** Commands are stored per exact scope and language; getMyCommands does not fall back. */
function commandsKey(args: MethodArguments): string {
  return `${scopeKey(args)}|${languageCode(args)}`;
}

function scopeKey(args: MethodArguments): string {
  const value = args.json('scope', 'BotCommandScope');
  if (value === undefined) return 'default';
  const fail = (reason: string): never => {
    throw badRequest(`can't parse BotCommandScope: ${reason}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('BotCommandScope must be an Object');
  const scope = value as Record<string, unknown>;
  if (typeof scope.type !== 'string') return fail('Can\'t find field "type"');
  if (SCOPES_WITHOUT_CHAT.has(scope.type)) return scope.type;
  if (!SCOPES_WITH_CHAT.has(scope.type)) return fail('Unsupported type specified');
  if (scope.chat_id === undefined || scope.chat_id === '') return fail('Empty chat_id specified');
  if (scope.type !== 'chat_member') return `${scope.type}:${String(scope.chat_id)}`;
  const userId = Number(scope.user_id);
  if (!Number.isInteger(userId) || userId <= 0) return fail('Invalid user_id specified');
  return `${scope.type}:${String(scope.chat_id)}:${userId}`;
}

function languageCode(args: MethodArguments): string {
  const code = args.string('language_code');
  if (code !== '' && !/^[a-z]{2}$/.test(code)) throw badRequest('invalid language code specified');
  return code;
}

function setProfileText(texts: Map<string, string>, args: MethodArguments, kind: keyof typeof PROFILE_TEXTS): true {
  const { argument, max } = PROFILE_TEXTS[kind];
  const value = args.string(argument);
  if (value.length > max) throw badRequest(`${kind === 'name' ? 'bot name' : kind.replace('_', ' ')} is too long`);
  const language = languageCode(args);
  if (value === '') texts.delete(language);
  else texts.set(language, value);
  return true;
}

function profileText(texts: Map<string, string>, args: MethodArguments): string | undefined {
  return texts.get(languageCode(args)) ?? texts.get('');
}
