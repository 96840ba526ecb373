import 'reflect-metadata';
import { runServiceProcess } from '@botplatform/service-kit';
import { subscriptionsService } from './subscriptions.service.js';

await runServiceProcess(subscriptionsService);
