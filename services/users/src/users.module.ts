import { Module } from '@nestjs/common';
import { RegisterUserHandler } from './user/register-user.handler.js';

@Module({ controllers: [RegisterUserHandler] })
export class UsersModule {}
