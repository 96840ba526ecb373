import { checkFeatureDeclaration } from './feature-declaration.js';
import { RoutingTable } from './routing-table.js';

const reserved = { owner: 'gateway', commands: ['start', 'help', 'language'], callbackNamespaces: ['lang'] };
const shop = checkFeatureDeclaration({
  service: 'shop',
  commands: [{ command: 'plans', descriptions: { en: 'Plans' }, featureFlag: 'shop' }],
  callbackNamespaces: [{ namespace: 'plans' }],
  steps: [{ step: 'plans:promo' }],
  messageKinds: [{ kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' }],
  updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }],
});
const table = new RoutingTable(new Map(), reserved).with(shop);

describe('RoutingTable', () => {
  it('finds the owner of each kind of route, with its flag', () => {
    expect(table.command('PLANS')).toEqual({ service: 'shop', featureFlag: 'shop' });
    expect(table.callback('plans:buy:1')).toEqual({ service: 'shop', featureFlag: '' });
    expect(table.callback('plansx:buy')).toBeUndefined();
    expect(table.step('plans:promo')?.service).toBe('shop');
    expect(table.messageKind('MESSAGE_KIND_SUCCESSFUL_PAYMENT')?.service).toBe('shop');
    expect(table.updateKind('UPDATE_KIND_PRE_CHECKOUT_QUERY')?.service).toBe('shop');
    expect(table.updateKind('UPDATE_KIND_SUBSCRIPTION')).toBeUndefined();
  });

  it("names the first clash with another service's names or the host's reserved ones", () => {
    const games = (json: object) => checkFeatureDeclaration({ service: 'games', ...json });
    expect(table.clashOf(games({ commands: [{ command: 'plans', descriptions: { en: 'x' } }] }))).toEqual({ kind: 'command', name: 'plans', owner: 'shop' });
    expect(table.clashOf(games({ commands: [{ command: 'start', descriptions: { en: 'x' } }] }))).toEqual({ kind: 'command', name: 'start', owner: 'gateway' });
    expect(table.clashOf(games({ callbackNamespaces: [{ namespace: 'lang' }] }))).toEqual({ kind: 'callback_namespace', name: 'lang', owner: 'gateway' });
    expect(table.clashOf(games({ messageKinds: [{ kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' }] }))).toEqual({
      kind: 'message_kind',
      name: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT',
      owner: 'shop',
    });
    expect(table.clashOf(games({ commands: [{ command: 'dice', descriptions: { en: 'x' } }] }))).toBeUndefined();
  });

  it('lets a service re-declare its own names, and a new declaration replaces its old one without touching the old table', () => {
    expect(table.clashOf(shop)).toBeUndefined();
    const smaller = table.with(checkFeatureDeclaration({ service: 'shop', commands: [{ command: 'buy', descriptions: { en: 'Buy' } }] }));
    expect(smaller.command('plans')).toBeUndefined();
    expect(smaller.ownsNamespace('shop', 'plans')).toBe(false);
    expect(table.command('plans')).toBeDefined();
  });

  it('says which namespaces and steps a service owns, and lists commands by service', () => {
    const both = table.with(checkFeatureDeclaration({ service: 'games', commands: [{ command: 'dice', descriptions: { en: 'Dice' } }] }));
    expect(both.ownsNamespace('shop', 'plans')).toBe(true);
    expect(both.ownsNamespace('games', 'plans')).toBe(false);
    expect(both.ownsStep('shop', 'plans:promo')).toBe(true);
    expect(both.ownsStep('games', 'plans:promo')).toBe(false);
    expect(both.commands().map((command) => `${command.service}/${command.command}`)).toEqual(['games/dice', 'shop/plans']);
  });
});
