import { checkFeatureDeclaration, RoutingTable } from '@botplatform/bot-kit';
import { descriptionOf, viewerOf, visibleCommands } from './routed-commands.js';

const table = new RoutingTable().with(
  checkFeatureDeclaration({
    service: 'shop',
    commands: [
      { command: 'plans', descriptions: { en: 'Plans', ru: 'Тарифы' } },
      { command: 'stats', descriptions: { en: 'Sales' }, audience: 'AUDIENCE_ADMINS' },
      { command: 'payout', descriptions: { en: 'Payout' }, audience: 'AUDIENCE_OWNER' },
      { command: 'vip', descriptions: { en: 'VIP' }, featureFlag: 'vip' },
    ],
  }),
);
const names = (viewer: Parameters<typeof visibleCommands>[2], flags: Record<string, boolean> = {}) =>
  visibleCommands(table, flags, viewer).map((command) => command.command);

describe('The routed commands a member sees', () => {
  it('follow the audience: everyone, then admins, then the owner', () => {
    expect(names('everyone')).toEqual(['plans']);
    expect(names('admin')).toEqual(['plans', 'stats']);
    expect(names('owner')).toEqual(['payout', 'plans', 'stats']);
  });

  it('hide a command whose flag is off or unknown in the bot', () => {
    expect(names('everyone', { vip: false })).toEqual(['plans']);
    expect(names('everyone', { vip: true })).toEqual(['plans', 'vip']);
  });

  it("take the member's language, else English", () => {
    const [plans] = visibleCommands(table, {}, 'everyone');
    expect(descriptionOf(plans!, 'ru')).toBe('Тарифы');
    expect(descriptionOf(plans!, 'de')).toBe('Plans');
    expect(viewerOf('MEMBER_ROLE_ADMIN')).toBe('admin');
    expect(viewerOf(undefined)).toBe('everyone');
  });
});
