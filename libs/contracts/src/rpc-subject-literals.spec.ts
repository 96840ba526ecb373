// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the self-test's sources are text, their `${…}` is meant
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const SCANNED = ['libs', 'services', 'chaos', 'bench'];
// The contracts declare the subjects (generated from proto/); everything else names them through RPC.
const EXEMPT = join(REPO, 'libs/contracts');

/**
 * A string or template literal starting with `rpc.<service>.`: a subject spelt out by hand. OpenTelemetry's
 * attribute keys (`'rpc.method'`) have one dot and are not subjects.
 */
const RPC_LITERAL = /['"`]rpc\.[\w${}-]*\./g;

function* typeScriptSources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || path === EXEMPT) continue;
      yield* typeScriptSources(path);
    } else if (entry.name.endsWith('.ts')) {
      yield path;
    }
  }
}

/** True when the hit at `column` is in a comment (doc comments quote subjects in backticks). */
function inComment(line: string, column: number): boolean {
  const code = line.trimStart();
  if (code.startsWith('*') || code.startsWith('/*') || code.startsWith('//')) return true;
  const lineComment = line.search(/(^|[^:])\/\//);
  return lineComment >= 0 && lineComment < column;
}

/** `file:line: text` of every hand-written RPC subject in `source`. */
export function rpcSubjectLiteralsIn(file: string, source: string): string[] {
  const hits: string[] = [];
  source.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(RPC_LITERAL)) {
      if (!inComment(line, match.index)) hits.push(`${file}:${index + 1}: ${line.trim()}`);
    }
  });
  return hits;
}

describe('RPC subjects', () => {
  it('are spelt only in libs/contracts: code names them through RPC.<service>.<method>', () => {
    const hits = SCANNED.flatMap((root) => [...typeScriptSources(join(REPO, root))]).flatMap((file) =>
      rpcSubjectLiteralsIn(relative(REPO, file), readFileSync(file, 'utf8')),
    );
    expect(hits).toEqual([]);
  });

  it('finds a subject in a string or template literal, not in a comment', () => {
    const source = [
      "const a = 'rpc.users.get-member';",
      'const b = `rpc.users.${verb}`;',
      'const c = call("rpc.users.list-bots"); // rpc.users.list-bots',
      '/** `rpc.users.register-user` answers it. */',
      ' * `rpc.users.*` patterns',
      "const url = 'http://example.org'; // `rpc.users.x`",
      "span.setAttribute('rpc.method', subject);",
      'const d = `rpc.${service}.${verb}`;',
    ].join('\n');
    expect(rpcSubjectLiteralsIn('x.ts', source)).toEqual([
      "x.ts:1: const a = 'rpc.users.get-member';",
      'x.ts:2: const b = `rpc.users.${verb}`;',
      'x.ts:3: const c = call("rpc.users.list-bots"); // rpc.users.list-bots',
      'x.ts:8: const d = `rpc.${service}.${verb}`;',
    ]);
  });
});
