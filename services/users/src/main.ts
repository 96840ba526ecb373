import 'reflect-metadata';
import { loadConfigOrExit, runServiceProcess } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';
import { UsersConfig, usersRuntimeOptions } from './config.js';
import { createUsersService } from './users.service.js';

const config = loadConfigOrExit(UsersConfig, process.env, new Logger('users'));
await runServiceProcess(createUsersService(usersRuntimeOptions(config)));
