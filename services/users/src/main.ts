import 'reflect-metadata';
import { runServiceProcess } from '@botplatform/service-kit';
import { usersService } from './users.service.js';

await runServiceProcess(usersService);
