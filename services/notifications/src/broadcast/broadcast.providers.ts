import type { Provider } from '@nestjs/common';
import { BroadcastSender } from './broadcast-sender.js';
import { BroadcastUseCases } from './broadcasts.use-case.js';

/** The broadcast slice's providers; `BROADCAST_SETTINGS` comes from the service definition. */
export const broadcastProviders: Provider[] = [BroadcastUseCases, BroadcastSender];
