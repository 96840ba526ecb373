import { type SandboxBot, TelegramSandbox } from '@botplatform/telegram-sandbox';
import type { SandboxProcessReply, SandboxProcessRequest, SandboxSendLog } from './sandbox-process.harness.js';

/**
 * The Telegram sandbox in a process of its own, driven over the IPC channel by `SandboxProcess`: as
 * Telegram is, it is not in the process it is measured against. Its limits are enforced here, and the
 * sends it answered are logged here (when, the method, the outcome), to be read back.
 */
const sends: SandboxSendLog = { at: [], method: [], status: [] };
let sandbox: TelegramSandbox | undefined;
const bots = new Map<number, SandboxBot>();

function requireSandbox(): TelegramSandbox {
  if (!sandbox) throw new Error('the sandbox is not started');
  return sandbox;
}

function requireBot(id: number): SandboxBot {
  const bot = bots.get(id);
  if (!bot) throw new Error(`no bot ${id}`);
  return bot;
}

async function answer(request: SandboxProcessRequest): Promise<unknown> {
  switch (request.kind) {
    case 'start': {
      sandbox = new TelegramSandbox({
        rateLimits: request.rateLimits,
        // Its call history keeps the last 2,000 calls: sends are counted from its log instead.
        log: (line) => {
          const match = / (send\w+|editMessageText) -> (.*)$/.exec(line);
          if (!match) return;
          // Wall-clock milliseconds (with the monotonic clock's precision): comparable across processes.
          sends.at.push(performance.timeOrigin + performance.now());
          sends.method.push(match[1]);
          sends.status.push(match[2]);
        },
      });
      await sandbox.start();
      return { apiRoot: sandbox.apiRoot };
    }
    case 'createBot': {
      const bot = requireSandbox().createBot({ username: request.username });
      bots.set(bot.id, bot);
      return { id: bot.id, token: bot.token, username: bot.username };
    }
    case 'startedUsers': {
      const telegram = requireSandbox();
      const bot = requireBot(request.botId);
      const ids: number[] = [];
      for (let i = 0; i < request.count; i++) {
        const user = telegram.createUser({ firstName: `${request.firstName} ${i + 1}`, languageCode: request.language });
        telegram.chat(user, bot).sendCommand('start');
        ids.push(user.id);
      }
      return ids;
    }
    case 'grantBotStars':
      requireSandbox().grantBotStars(requireBot(request.botId), request.stars);
      return null;
    case 'botStarBalanceTenths':
      return requireSandbox().botStarBalanceTenths(requireBot(request.botId));
    case 'paidBroadcastMessages':
      return requireSandbox().paidBroadcastMessages(requireBot(request.botId));
    case 'sendCount':
      return sends.at.length;
    case 'sends':
      return { at: sends.at.slice(request.from), method: sends.method.slice(request.from), status: sends.status.slice(request.from) };
    case 'stop':
      await sandbox?.stop();
      sandbox = undefined;
      return null;
  }
}

process.on('message', (message: { id: number; request: SandboxProcessRequest }) => {
  answer(message.request).then(
    (value) => process.send?.({ id: message.id, ok: true, value } satisfies SandboxProcessReply),
    (error: unknown) =>
      process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies SandboxProcessReply),
  );
});
// The parent gone (killed), this process has nobody to serve.
process.on('disconnect', () => process.exit(0));
