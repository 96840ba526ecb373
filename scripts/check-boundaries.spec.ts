import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Jest runs from the repository root.
const script = join(process.cwd(), 'scripts/check-boundaries.mjs');

/** A throwaway workspace: two services, the platform, two libs (one the sandbox), bench/. */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
  const base: Record<string, string> = {
    'services/gateway/src/index.ts': "import { RpcClient } from '@botplatform/bus';\nimport { x } from './own.js';\n",
    'services/gateway/src/own.ts': 'export const x = 1;\n',
    'services/users/src/index.ts': 'export const users = 1;\n',
    'services/platform/src/index.ts': "import { users } from '@botplatform/users';\nimport { TelegramSandbox } from '@botplatform/telegram-sandbox';\n",
    'libs/bus/src/index.ts': "import { Api } from 'grammy';\nexport class RpcClient {}\n",
    'libs/telegram-sandbox/src/index.ts': "import { RpcClient } from '../../bus/src/index.js';\nexport class TelegramSandbox {}\n",
    'bench/src/main.ts': "import { users } from '@botplatform/users';\nimport { TelegramSandbox } from '@botplatform/telegram-sandbox';\n",
  };
  for (const [path, text] of Object.entries({ ...base, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string): { status: number | null; lines: string[] } {
  const run = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: run.status, lines: run.stdout.trim().split('\n') };
}

describe('check-boundaries', () => {
  const roots: string[] = [];
  const planted = (files: Record<string, string>) => {
    const root = workspace(files);
    roots.push(root);
    return check(root);
  };
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('passes a workspace where only the platform, bench/, chaos/, tools/, tests and testing/ folders cross the lines', () => {
    const result = planted({
      'services/gateway/src/bot.e2e.spec.ts': "import { TelegramSandbox } from '@botplatform/telegram-sandbox';\n",
      'services/gateway/src/features/testing/harness.ts': "import { TelegramSandbox } from '@botplatform/telegram-sandbox';\n",
      'chaos/src/main.ts': "import { users } from '../../services/users/src/index.js';\n",
      'tools/import-legacy/src/main.ts':
        "import { platformWirings } from '@botplatform/platform';\nimport { users } from '../../../services/users/src/index.js';\n",
    });
    expect(result).toEqual({ status: 0, lines: ['import boundaries: ok'] });
  });

  it('reports a service importing another service, by package name or by relative path, with file and line', () => {
    const result = planted({
      'services/gateway/src/outbound/send.ts': "import { x } from './x.js';\n\nimport { users } from '@botplatform/users';\n",
      'services/gateway/src/relative.ts': "export { users } from '../../users/src/index.js';\n",
    });
    expect(result.status).toBe(1);
    expect(result.lines).toEqual([
      'services/gateway/src/outbound/send.ts:3: a service imports another service (only services/platform, bench/, chaos/ and tools/ may) (@botplatform/users)',
      'services/gateway/src/relative.ts:1: a service imports another service (only services/platform, bench/, chaos/ and tools/ may) (../../users/src/index.js)',
    ]);
  });

  it('reports a lib importing a service, even in its tests', () => {
    const result = planted({ 'libs/bus/src/bus.spec.ts': "const users = await import('@botplatform/users');\n" });
    expect(result.status).toBe(1);
    expect(result.lines).toEqual(['libs/bus/src/bus.spec.ts:1: a lib imports a service (@botplatform/users)']);
  });

  it('reports the sandbox imported by production code of a service or a lib', () => {
    const result = planted({
      'services/gateway/src/hosting/bot-host.ts': "import type { SandboxBot } from '@botplatform/telegram-sandbox';\n",
      'libs/bus/src/fake.ts': "import { TelegramSandbox } from '../../telegram-sandbox/src/index.js';\n",
    });
    expect(result.status).toBe(1);
    expect(result.lines).toEqual([
      'libs/bus/src/fake.ts:1: @botplatform/telegram-sandbox outside tests (only *.spec.ts, testing/ folders, services/platform, bench/, chaos/ and tools/ may) (../../telegram-sandbox/src/index.js)',
      'services/gateway/src/hosting/bot-host.ts:1: @botplatform/telegram-sandbox outside tests (only *.spec.ts, testing/ folders, services/platform, bench/, chaos/ and tools/ may) (@botplatform/telegram-sandbox)',
    ]);
  });
});
