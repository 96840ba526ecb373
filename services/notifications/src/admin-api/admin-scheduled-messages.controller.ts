import type { ScheduledMessageViewJson } from '@botplatform/contracts';
import { AdminApiController, Principal, requesterOf, type AdminPrincipal } from '@botplatform/service-kit';
import { Body, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ScheduledMessagesUseCase } from '../scheduled/scheduled-messages.use-case.js';
import { BotParams, ListScheduledMessagesQuery, ScheduledMessageParams, ScheduleMessageBody } from './notifications-admin.dto.js';

/**
 * A bot's scheduled messages over HTTP, for that bot's API token only: schedule (201; the same
 * `requestId` again schedules nothing new), list, cancel until sent. The token is the author
 * (`api:<token id>`), as on the users service's audit.
 */
@AdminApiController('admin/bots/:botId/scheduled-messages')
export class AdminScheduledMessagesController {
  constructor(private readonly scheduled: ScheduledMessagesUseCase) {}

  @Post()
  schedule(
    @Param() params: BotParams,
    @Body() body: ScheduleMessageBody,
    @Principal() principal: AdminPrincipal,
  ): Promise<{ message: ScheduledMessageViewJson; created: boolean }> {
    const { requestId = randomUUID(), ...request } = body;
    return this.scheduled.schedule({ ...request, requestId, botId: params.botId, scheduledBy: requesterOf(principal) });
  }

  @Get()
  async list(@Param() params: BotParams, @Query() query: ListScheduledMessagesQuery): Promise<{ messages: ScheduledMessageViewJson[] }> {
    return { messages: await this.scheduled.list({ botId: params.botId, ...(query.status ? { status: query.status } : {}) }) };
  }

  @Delete(':id')
  async cancel(@Param() params: ScheduledMessageParams, @Principal() principal: AdminPrincipal): Promise<{ message: ScheduledMessageViewJson }> {
    return { message: await this.scheduled.cancel({ botId: params.botId, scheduledMessageId: params.id, cancelledBy: requesterOf(principal) }) };
  }
}
