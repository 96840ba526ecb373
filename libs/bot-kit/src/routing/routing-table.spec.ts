import { describe, expect, it } from '@jest/globals';
import { checkFeatureDeclaration, InvalidFeatureDeclarationError, sameFeatureDeclaration } from './feature-declaration.js';
import { RoutingTable } from './routing-table.js';

const gatewayReserved = { owner: 'gateway', commands: ['start', 'help', 'language'], callbackNamespaces: ['lang'] };

const plans = checkFeatureDeclaration({
  service: 'subscriptions',
  commands: [{ command: 'plans', descriptions: { en: 'plans and prices', ru: 'тарифы' } }],
  callbackNamespaces: [{ namespace: 'plans' }],
  steps: [{ step: 'plans:promo' }],
});

const payments = checkFeatureDeclaration({
  service: 'payments',
  commands: [{ command: 'balance', descriptions: { en: 'your balance' }, featureFlag: 'wallet' }],
  callbackNamespaces: [{ namespace: 'pay' }],
  messageKinds: [{ kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' }],
  updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }],
});

describe('A feature declaration', () => {
  it('is put in one canonical form, whatever order it was written in', () => {
    const reordered = checkFeatureDeclaration({
      service: 'payments',
      updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }],
      messageKinds: [{ kind: 'MESSAGE_KIND_SUCCESSFUL_PAYMENT' }],
      callbackNamespaces: [{ namespace: 'pay' }],
      commands: [{ command: '/balance', descriptions: { en: 'your balance' }, featureFlag: 'wallet', audience: 'AUDIENCE_EVERYONE' }],
    });
    expect(sameFeatureDeclaration(reordered, payments)).toBe(true);
    expect(payments.commands[0]).toEqual({ command: 'balance', descriptions: { en: 'your balance' }, audience: 'AUDIENCE_EVERYONE', featureFlag: 'wallet' });
  });

  it.each([
    ['a service name in capitals', { service: 'Pay' }, /not a service name/],
    ['a command with a space', { service: 'pay', commands: [{ command: 'Buy Now', descriptions: { en: 'x' } }] }, /not 1 to 32/],
    ['a command without an English description', { service: 'pay', commands: [{ command: 'buy', descriptions: { ru: 'купить' } }] }, /no English description/],
    ['a description over 256 characters', { service: 'pay', commands: [{ command: 'buy', descriptions: { en: 'x'.repeat(257) } }] }, /1 to 256 characters/],
    ['a namespace with a colon', { service: 'pay', callbackNamespaces: [{ namespace: 'pay:x' }] }, /callback namespace/],
    ['a step outside its namespaces', { service: 'pay', steps: [{ step: 'plans:code' }] }, /outside the service's callback namespaces/],
    ['a namespace declared twice', { service: 'pay', callbackNamespaces: [{ namespace: 'pay' }, { namespace: 'pay' }] }, /declared twice/],
    ['an unspecified message kind', { service: 'pay', messageKinds: [{ kind: 'MESSAGE_KIND_UNSPECIFIED' as const }] }, /unspecified/],
    ['a malformed flag name', { service: 'pay', commands: [{ command: 'buy', descriptions: { en: 'x' }, featureFlag: 'Not A Flag' }] }, /not a flag name/],
  ])('refuses %s with a typed error', (_label, json, message) => {
    const attempt = () => checkFeatureDeclaration(json);
    expect(attempt).toThrow(InvalidFeatureDeclarationError);
    expect(attempt).toThrow(message);
  });
});

describe('The routing table', () => {
  const table = new RoutingTable(new Map(), gatewayReserved).with(plans).with(payments);

  it('routes each name to the service that declared it, with its flag', () => {
    expect(table.command('plans')).toEqual({ service: 'subscriptions', featureFlag: '' });
    expect(table.command('PLANS')).toEqual({ service: 'subscriptions', featureFlag: '' });
    expect(table.command('balance')).toEqual({ service: 'payments', featureFlag: 'wallet' });
    expect(table.callback('plans:buy:3')).toEqual({ service: 'subscriptions', featureFlag: '' });
    expect(table.callback('pay')).toEqual({ service: 'payments', featureFlag: '' });
    expect(table.step('plans:promo')?.service).toBe('subscriptions');
    expect(table.messageKind('MESSAGE_KIND_SUCCESSFUL_PAYMENT')?.service).toBe('payments');
    expect(table.updateKind('UPDATE_KIND_PRE_CHECKOUT_QUERY')?.service).toBe('payments');
  });

  it('routes nothing it was not told about', () => {
    expect(table.command('start')).toBeUndefined();
    expect(table.callback('adm:blk:1')).toBeUndefined();
    expect(table.callback('')).toBeUndefined();
    expect(table.callback(undefined)).toBeUndefined();
    expect(table.callback('PLANS:buy')).toBeUndefined();
    expect(table.messageKind('MESSAGE_KIND_PHOTO')).toBeUndefined();
  });

  it("finds a clash with another service's names or the host's own", () => {
    const clashing = (json: Parameters<typeof checkFeatureDeclaration>[0]) => table.clashOf(checkFeatureDeclaration(json));
    expect(clashing({ service: 'shop', commands: [{ command: 'plans', descriptions: { en: 'x' } }] })).toEqual({
      kind: 'command',
      name: 'plans',
      owner: 'subscriptions',
    });
    expect(clashing({ service: 'shop', commands: [{ command: 'help', descriptions: { en: 'x' } }] })).toEqual({
      kind: 'command',
      name: 'help',
      owner: 'gateway',
    });
    expect(clashing({ service: 'shop', callbackNamespaces: [{ namespace: 'lang' }] })).toEqual({ kind: 'callback_namespace', name: 'lang', owner: 'gateway' });
    expect(clashing({ service: 'shop', callbackNamespaces: [{ namespace: 'pay' }] })).toEqual({ kind: 'callback_namespace', name: 'pay', owner: 'payments' });
    expect(clashing({ service: 'shop', updateKinds: [{ kind: 'UPDATE_KIND_PRE_CHECKOUT_QUERY' }] })).toEqual({
      kind: 'update_kind',
      name: 'UPDATE_KIND_PRE_CHECKOUT_QUERY',
      owner: 'payments',
    });
    expect(clashing({ service: 'shop', commands: [{ command: 'shop', descriptions: { en: 'x' } }] })).toBeUndefined();
  });

  it('routes /start payloads by the word before the first "_" to the one service that declared it', () => {
    const promo = checkFeatureDeclaration({ service: 'payments', deepLinks: [{ prefix: 'promo' }] });
    const withPromo = new RoutingTable(new Map(), gatewayReserved).with(promo);
    expect(withPromo.deepLink('promo_SPRING25')).toEqual({ service: 'payments', featureFlag: '' });
    expect(withPromo.deepLink('promo_')).toEqual({ service: 'payments', featureFlag: '' });
    for (const payload of [undefined, '', 'promo', 'ref_42', '_promo', 'PROMO_X']) expect(withPromo.deepLink(payload)).toBeUndefined();
    expect(withPromo.clashOf(checkFeatureDeclaration({ service: 'shop', deepLinks: [{ prefix: 'promo' }] }))).toEqual({
      kind: 'deep_link',
      name: 'promo',
      owner: 'payments',
    });
    expect(() => checkFeatureDeclaration({ service: 'shop', deepLinks: [{ prefix: 'promo_' }] })).toThrow(/deep link prefix/);
    expect(() => checkFeatureDeclaration({ service: 'shop', deepLinks: [{ prefix: 'a' }, { prefix: 'a' }] })).toThrow(/declared twice/);
  });

  it('lets a service declare again over its own names, and replaces what it declared before', () => {
    const narrower = checkFeatureDeclaration({ service: 'subscriptions', commands: [{ command: 'subscription', descriptions: { en: 'yours' } }] });
    expect(table.clashOf(plans)).toBeUndefined();
    const next = table.with(narrower);
    expect(next.command('plans')).toBeUndefined();
    expect(next.command('subscription')?.service).toBe('subscriptions');
    expect(next.callback('plans:buy')).toBeUndefined();
    // The table the router was using is untouched: a swap between updates needs no lock.
    expect(table.command('plans')?.service).toBe('subscriptions');
  });

  it('lists the routed commands by service for the menus and /help, and who owns which namespace and step', () => {
    expect(table.commands().map((command) => `${command.service}:${command.command}`)).toEqual(['payments:balance', 'subscriptions:plans']);
    expect(table.ownsNamespace('subscriptions', 'plans')).toBe(true);
    expect(table.ownsNamespace('subscriptions', 'pay')).toBe(false);
    expect(table.ownsStep('subscriptions', 'plans:promo')).toBe(true);
    expect(table.ownsStep('payments', 'plans:promo')).toBe(false);
  });
});
