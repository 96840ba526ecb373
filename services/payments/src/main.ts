import 'reflect-metadata';
import { runServiceProcess } from '@botplatform/service-kit';
import { paymentsService } from './payments.service.js';

await runServiceProcess(paymentsService);
