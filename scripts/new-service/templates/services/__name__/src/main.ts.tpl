import 'reflect-metadata';
import { runServiceProcess } from '@botplatform/service-kit';
import { __name__Service } from './__name__.service.js';

await runServiceProcess(__name__Service);
