import type { CreatePromoBatchReplyJson, PromoCodeDefinitionJson, PromoCodeViewJson } from '@botplatform/contracts';
import { PostgresEventStore } from '@botplatform/event-store';
import { Injectable } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock.js';
import { PromoCommands } from './promo-commands.js';
import { definitionFromJson, promoView } from './promo-json.js';
import { normalizeCode, validateDefinition } from './promo.decider.js';
import { PromoInvalidError } from './promo.errors.js';

/** Generated codes: 12 characters of 31 (no 0/O, 1/I/L), about 59 bits, drawn by crypto.randomInt. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const GENERATED_LENGTH = 12;
const BATCH_MAX = 1000;

/** An admin's promo codes: one code, a batch of single-use codes, the active switch. */
@Injectable()
export class ManagePromoCodesUseCase {
  constructor(
    private readonly promos: PromoCommands,
    private readonly store: PostgresEventStore,
    private readonly clock: Clock,
  ) {}

  async create(input: { botId: string; code: string; definition?: PromoCodeDefinitionJson; createdBy: string }): Promise<PromoCodeViewJson> {
    const code = normalizeCode(input.code);
    const result = await this.promos.handle(
      {
        type: 'CreatePromoCode',
        botId: input.botId,
        code,
        definition: definitionFromJson(input.definition),
        createdBy: input.createdBy,
        now: this.now(),
      },
      { kind: 'admin', id: input.createdBy },
    );
    return promoView(result.state);
  }

  /** N codes with one reward, each single-use, created together (all or none). */
  async createBatch(input: {
    botId: string;
    count: number;
    definition?: PromoCodeDefinitionJson;
    createdBy: string;
    prefix?: string;
  }): Promise<CreatePromoBatchReplyJson> {
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > BATCH_MAX) throw new PromoInvalidError(`count must be 1 to ${BATCH_MAX}`);
    const prefix = normalizeCode(input.prefix ?? '');
    const batchId = randomUUID();
    const definition = { ...definitionFromJson(input.definition), maxUses: 1, batchId };
    const codes = Array.from(
      { length: input.count },
      () => prefix + Array.from({ length: GENERATED_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    );
    validateDefinition(codes[0]!, definition);
    const now = this.now();
    await this.store.transaction(async (em) => {
      for (const code of codes) {
        await this.promos.handle(
          { type: 'CreatePromoCode', botId: input.botId, code, definition, createdBy: input.createdBy, now },
          { kind: 'admin', id: input.createdBy },
          { em },
        );
      }
    });
    return { batchId, codes };
  }

  async setActive(input: { botId: string; code: string; active: boolean; by: string }): Promise<PromoCodeViewJson> {
    const result = await this.promos.handle(
      { type: 'SetPromoCodeActive', botId: input.botId, code: normalizeCode(input.code), active: input.active, by: input.by, now: this.now() },
      { kind: 'admin', id: input.by },
    );
    return promoView(result.state);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
