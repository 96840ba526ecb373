export type { BotContext, GatewaySession, HostedBotInfo } from "./bot/bot-context.js";
