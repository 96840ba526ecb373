import 'reflect-metadata';
import { runServiceProcess } from '@botplatform/service-kit';
import { notificationsService } from './notifications.service.js';

await runServiceProcess(notificationsService);
