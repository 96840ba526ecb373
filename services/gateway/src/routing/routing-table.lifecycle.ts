import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayRoutingTable } from './gateway-routing-table.js';

/** Loads the routing table before the bots start (Nest runs every `onModuleInit` before bootstrap), stops its refresh at the end. */
@Injectable()
export class RoutingTableLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly routing: GatewayRoutingTable) {}

  async onModuleInit(): Promise<void> {
    await this.routing.load();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.routing.stop();
  }
}
