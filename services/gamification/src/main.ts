import 'reflect-metadata';
import { runServiceProcess } from '@botplatform/service-kit';
import { gamificationService } from './gamification.service.js';

await runServiceProcess(gamificationService);
