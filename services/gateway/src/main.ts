import 'reflect-metadata';
import { loadConfigOrExit, runServiceProcess } from '@botplatform/service-kit';
import { Logger } from '@nestjs/common';
import { GatewayConfig, gatewayRuntimeConfig } from './config.js';
import { gatewayService } from './gateway.service.js';

const config = loadConfigOrExit(GatewayConfig, process.env, new Logger('gateway'));
await runServiceProcess(gatewayService(gatewayRuntimeConfig(config)));
