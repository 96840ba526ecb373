#!/usr/bin/env node
// Import boundaries between the workspace projects. Biome has no rule that knows our folders, so this walks
// the sources and reads their import specifiers. Usage: node scripts/check-boundaries.mjs [root]
// Prints each violation as `file:line: <rule>` and exits 1 if there is any.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist']);
// `from '…'`, `import '…'`, `import('…')`, `require('…')`, `jest.mock('…')`: every way a file names another module.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bmock\s*\(\s*)(['"])([^'"\n]+)\1/g;
const SANDBOX = 'telegram-sandbox';

/** The violations under `root`, sorted by file and line. */
export function findBoundaryViolations(root) {
  const services = projectNames(root, 'services');
  const libs = projectNames(root, 'libs');
  const violations = [];
  for (const file of sourceFiles(root, ['libs', 'services', 'bench', 'chaos', 'tools'])) {
    const from = ownerOf(relative(root, file));
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const target = targetOf(root, file, match[2], services, libs);
      if (!target) continue;
      const rule = brokenRule(from, target, relative(root, file));
      if (rule) violations.push({ file: toPosix(relative(root, file)), line: lineOf(text, match.index), rule: `${rule} (${match[2]})` });
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function brokenRule(from, target, file) {
  if (from.kind === 'tool') return undefined; // bench/, chaos/ and tools/ drive the whole platform
  if (target.kind === 'service' && from.kind === 'service' && target.name !== from.name && from.name !== 'platform') {
    return 'a service imports another service (only services/platform, bench/, chaos/ and tools/ may)';
  }
  if (target.kind === 'service' && from.kind === 'lib') return 'a lib imports a service';
  if (target.kind === 'lib' && target.name === SANDBOX && !(from.kind === 'lib' && from.name === SANDBOX) && !isTestFile(file)) {
    if (!(from.kind === 'service' && from.name === 'platform')) {
      return `@botplatform/${SANDBOX} outside tests (only *.spec.ts, testing/ folders, services/platform, bench/, chaos/ and tools/ may)`;
    }
  }
  return undefined;
}

function isTestFile(file) {
  const parts = toPosix(file).split('/');
  return /\.spec\.[cm]?[jt]s$/.test(parts.at(-1)) || parts.includes('testing');
}

/** Which project a repository-relative path belongs to. */
function ownerOf(path) {
  const [top, name] = toPosix(path).split('/');
  if (top === 'services') return { kind: 'service', name };
  if (top === 'libs') return { kind: 'lib', name };
  if (top === 'bench' || top === 'chaos') return { kind: 'tool', name: top };
  if (top === 'tools') return { kind: 'tool', name: `tools/${name}` };
  return { kind: 'other', name: top };
}

/** The project a specifier points into, or undefined for a package outside the workspace or a file of no project. */
function targetOf(root, file, specifier, services, libs) {
  const scoped = /^@botplatform\/([^/]+)/.exec(specifier);
  if (scoped) {
    if (services.has(scoped[1])) return { kind: 'service', name: scoped[1] };
    if (libs.has(scoped[1])) return { kind: 'lib', name: scoped[1] };
    return undefined;
  }
  if (!specifier.startsWith('.')) return undefined;
  const target = ownerOf(relative(root, resolve(dirname(file), specifier)));
  const own = ownerOf(relative(root, file));
  if (target.kind === own.kind && target.name === own.name) return undefined;
  return target.kind === 'service' || target.kind === 'lib' ? target : undefined;
}

function projectNames(root, parent) {
  const folder = join(root, parent);
  if (!existsSync(folder)) return new Set();
  return new Set(
    readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name),
  );
}

function* sourceFiles(root, folders) {
  for (const folder of folders) {
    const path = join(root, folder);
    if (existsSync(path)) yield* walk(path);
  }
}

function* walk(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) yield* walk(join(folder, entry.name));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield join(folder, entry.name);
    }
  }
}

function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function toPosix(path) {
  return path.split(sep).join('/');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = resolve(process.argv[2] ?? '.');
  const violations = findBoundaryViolations(root);
  for (const v of violations) console.log(`${v.file}:${v.line}: ${v.rule}`);
  if (violations.length > 0) {
    console.error(`${violations.length} import boundary violation(s)`);
    process.exit(1);
  }
  console.log('import boundaries: ok');
}
