import { checkFeatureDeclaration, featureDeclarationToJson } from '@botplatform/bot-kit';
import type { BotFeatureDeclarationJson } from '@botplatform/contracts';
import { DeciderSpecification, foldEvents } from '@botplatform/event-store';
import { botFeaturesDecider, type BotFeaturesDeclared } from './bot-features.decider.js';
import { FeatureClashError } from './routing.errors.js';

const shop: BotFeatureDeclarationJson = {
  service: 'shop',
  commands: [{ command: 'plans', descriptions: { en: 'Plans', ru: 'Тарифы' } }],
  callbackNamespaces: [{ namespace: 'plans' }],
  steps: [{ step: 'plans:promo' }],
  updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }],
};

const declared = (json: BotFeatureDeclarationJson): BotFeaturesDeclared => ({
  type: 'BotFeaturesDeclared',
  data: { declaration: featureDeclarationToJson(checkFeatureDeclaration(json)) },
});
const declare = (json: BotFeatureDeclarationJson) => ({ type: 'DeclareBotFeatures' as const, declaration: checkFeatureDeclaration(json) });
const spec = DeciderSpecification.for(botFeaturesDecider);

describe('The bot features decider', () => {
  it('puts a first declaration in force in its canonical form', () => {
    spec
      .given([])
      .when(declare(shop))
      .then([declared(shop)]);
    expect(declared(shop).data.declaration.commands).toEqual([
      { command: 'plans', descriptions: { en: 'Plans', ru: 'Тарифы' }, audience: 'AUDIENCE_EVERYONE' },
    ]);
  });

  it('decides nothing when the same features are declared again, in any order', () => {
    const reordered = { ...shop, callbackNamespaces: [{ namespace: 'plans' }], commands: [{ command: '/plans', descriptions: { ru: 'Тарифы', en: 'Plans' } }] };
    spec
      .given([declared(shop)])
      .when(declare(reordered))
      .then([]);
  });

  it("replaces a service's declaration when it changed (a command dropped, another added)", () => {
    const changed = { ...shop, commands: [{ command: 'buy', descriptions: { en: 'Buy' } }] };
    spec
      .given([declared(shop)])
      .when(declare(changed))
      .then([declared(changed)]);
    const state = foldEvents(botFeaturesDecider, [declared(shop), declared(changed)]);
    expect(state.table.command('plans')).toBeUndefined();
    expect(state.table.command('buy')).toEqual({ service: 'shop', featureFlag: '' });
  });

  it.each<[string, BotFeatureDeclarationJson, { kind: string; name: string; owner: string }]>([
    ['command', { service: 'games', commands: [{ command: 'plans', descriptions: { en: 'x' } }] }, { kind: 'command', name: 'plans', owner: 'shop' }],
    ['namespace', { service: 'games', callbackNamespaces: [{ namespace: 'plans' }] }, { kind: 'callback_namespace', name: 'plans', owner: 'shop' }],
    [
      'update kind',
      { service: 'games', updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }] },
      { kind: 'update_kind', name: 'UPDATE_KIND_PRE_CHECKOUT_QUERY', owner: 'shop' },
    ],
    ['gateway command', { service: 'games', commands: [{ command: 'help', descriptions: { en: 'x' } }] }, { kind: 'command', name: 'help', owner: 'gateway' }],
    ['gateway namespace', { service: 'games', callbackNamespaces: [{ namespace: 'lang' }] }, { kind: 'callback_namespace', name: 'lang', owner: 'gateway' }],
  ])('refuses a %s another owns with GATEWAY.FEATURE_CLASH and its details', (_what, json, details) => {
    spec
      .given([declared(shop)])
      .when(declare(json))
      .thenThrows(FeatureClashError, (error) => {
        expect((error as FeatureClashError).code).toBe('GATEWAY.FEATURE_CLASH');
        expect((error as FeatureClashError).details).toEqual(details);
      });
  });

  it('lets a service take a name another service dropped', () => {
    const shopWithout = { service: 'shop', commands: [{ command: 'buy', descriptions: { en: 'Buy' } }] };
    const games = { service: 'games', commands: [{ command: 'plans', descriptions: { en: 'Game plans' } }] };
    spec
      .given([declared(shop), declared(shopWithout)])
      .when(declare(games))
      .then([declared(games)]);
  });
});
