// `npm run new:service -- <name> [--no-scripts]`: writes a new service that follows the conventions of
// services/notifications and services/users, and registers it everywhere the platform lists its services.
//
// What it does, in order:
//   1. checks the name (one lower-case word, not taken, not reserved);
//   2. works out every change in memory, so a registry it cannot edit stops it before anything is written;
//   3. writes the files of templates/ (`__name__`, `__Name__`, `__NAME__`, `__namespace__`, `__timestamp__` replaced;
//      the `.tpl` suffix keeps the templates out of tsc, jest and the linter);
//   4. edits the registries (each edit is skipped when its entry is already there);
//   5. runs `npm run proto` (the new contract's TypeScript) and `npm run nats:config` (the new broker user),
//      unless `--no-scripts` is given.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

// One word, because the name is used as is in places that each allow a different alphabet: event subjects
// and `rpc.<name>.*` (a NATS token), the JetStream stream (NAME), the PostgreSQL schema and database, the
// NATS user and its BP_NATS_<NAME>_PASSWORD, the protobuf package `botplatform.<name>.v1`.
const NAME = /^[a-z][a-z0-9]{1,29}$/;

// Names that are taken by something other than a service folder.
const RESERVED = new Map([
  ['platform', 'the composition root (services/platform)'],
  ['rpc', 'request/reply subjects start with rpc.'],
  ['dead', 'dead letters are published on dead.<consumer>'],
  ['operator', "the operator's broker user"],
  ['nats', 'a docker-compose service'],
  ['postgres', 'a docker-compose service'],
  ['bus', 'a lib (@botplatform/bus)'],
  ['gen', 'libs/contracts/src/gen'],
  ['bench', 'the benchmarks project'],
  ['chaos', 'the chaos project'],
]);

class GeneratorError extends Error {}

function main() {
  const args = process.argv.slice(2);
  const runScripts = !args.includes('--no-scripts');
  const names = args.filter((arg) => !arg.startsWith('--'));
  if (names.length !== 1) throw new GeneratorError('usage: npm run new:service -- <name> [--no-scripts]');
  const name = names[0];
  checkName(name);

  const words = {
    __name__: name,
    __Name__: name[0].toUpperCase() + name.slice(1),
    __NAME__: name.toUpperCase(),
    // Its bot buttons' callback namespace: at most 12 characters (libs/bot-kit CALLBACK_NAMESPACE).
    __namespace__: name.slice(0, 12),
    __timestamp__: new Date().toISOString().replace(/\D/g, '').slice(0, 14),
  };
  const files = templateFiles(TEMPLATES).map((template) => ({
    path: fill(relative(TEMPLATES, template).replace(/\.tpl$/, ''), words),
    text: fill(readFileSync(template, 'utf8'), words),
  }));
  const edits = registryEdits(name, words);

  // Every change is worked out before anything is written: a missing marker stops the run with nothing changed.
  const changes = edits.map((edit) => {
    const before = read(edit.path);
    if (edit.done(before)) return { ...edit, after: null };
    const after = edit.apply(before);
    if (edit.path.endsWith('.json')) JSON.parse(after);
    if (!edit.done(after)) throw new GeneratorError(`${edit.path}: the edit did not add ${edit.what}`);
    return { ...edit, after };
  });

  for (const file of files) {
    mkdirSync(dirname(join(ROOT, file.path)), { recursive: true });
    writeFileSync(join(ROOT, file.path), file.text, { flag: 'wx' });
  }
  for (const change of changes) if (change.after !== null) writeFileSync(join(ROOT, change.path), change.after);
  const linked = linkWorkspace(name);

  console.log(`\nnew service "${name}":`);
  for (const file of files) console.log(`  created  ${file.path}`);
  for (const change of changes)
    console.log(`  ${change.after === null ? 'kept   ' : 'edited '}  ${change.path} (${change.what}${change.after === null ? ': already there' : ''})`);
  if (linked) console.log(`  linked   node_modules/@botplatform/${name} -> services/${name} (what npm install does for a workspace)`);

  if (runScripts) {
    run('npm', ['run', 'proto']);
    run('npm', ['run', 'nats:config']);
  }
  console.log(`
Next:
${runScripts ? '' : '  npm run proto && npm run nats:config   regenerate the contracts and the broker configuration\n'}  npm run build                          type-check and compile everything
  npx node --experimental-async-context-frame --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand services/${name}
                                         its tests (PostgreSQL on 127.0.0.1:5432, see the README)
  npm start                              the platform with ${name} in it; the log prints its health URL

Then make it yours: replace the example note aggregate (proto/botplatform/${name}/v1/notes.proto,
services/${name}/src/note/) and describe the service in the README's layout table. When it consumes
events: add busMigrations to its migrations, its consumers to ${name}.service.ts and to its user in
services/platform/src/platform-nats-access.ts, then run \`npm run nats:config\`.`);
}

function checkName(name) {
  if (!NAME.test(name)) {
    throw new GeneratorError(
      `"${name}" is not a service name: use one lower-case word of 2 to 30 letters and digits, starting with a letter ` +
        '(it becomes the event subjects, the rpc.<name>.* patterns, the stream, schema, database, broker user and proto package).',
    );
  }
  if (RESERVED.has(name)) throw new GeneratorError(`"${name}" is reserved: ${RESERVED.get(name)}`);
  for (const taken of [`services/${name}`, `libs/${name}`, `proto/botplatform/${name}`, `deploy/k8s/${name}.yaml`]) {
    if (existsSync(join(ROOT, taken))) throw new GeneratorError(`"${name}" is taken: ${taken} exists`);
  }
  // The example's messages are exported by @botplatform/contracts under their own names, so two services
  // with the untouched example would clash there.
  const clash = findFiles(join(ROOT, 'proto'), '.proto').find((file) =>
    /^message (NoteCreated|CreateNoteRequest|CreateNoteReply) \{/m.test(readFileSync(file, 'utf8')),
  );
  if (clash) {
    throw new GeneratorError(`${relative(ROOT, clash)} already declares the example note messages: rename that service's example aggregate first`);
  }
}

/** The registries that list every service, and how to add this one to each. */
function registryEdits(name, words) {
  const Name = words.__Name__;
  const NAME_ = words.__NAME__;
  const solution = solutionConfig();
  return [
    {
      path: 'nest-cli.json',
      what: `the "${name}" application project`,
      done: (text) => Boolean(JSON.parse(text).projects[name]),
      apply: (text) => {
        // After the applications, before the first library.
        const firstLibrary = Object.entries(JSON.parse(text).projects).find(([, project]) => project.type === 'library')?.[0];
        return insertBefore(text, 'nest-cli.json', `the project "${firstLibrary}"`, (line) => line === `    "${firstLibrary}": {`, [
          `    "${name}": {`,
          '      "type": "application",',
          `      "root": "services/${name}",`,
          `      "sourceRoot": "services/${name}/src",`,
          '      "entryFile": "main",',
          `      "compilerOptions": { "tsConfigPath": "services/${name}/tsconfig.json" }`,
          '    },',
        ]);
      },
    },
    {
      path: solution,
      what: `the project reference to services/${name}`,
      done: (text) => JSON.parse(text).references.some((ref) => ref.path.replace(/^\.\//, '') === `services/${name}`),
      apply: (text) => {
        const platform = /^(\s*)\{ "path": "(\.\/)?services\/platform" \},?$/;
        return insertBefore(
          text,
          solution,
          'the reference to services/platform',
          (line) => platform.test(line),
          (line) => {
            const [, indent, dot = ''] = platform.exec(line);
            return [`${indent}{ "path": "${dot}services/${name}" },`];
          },
        );
      },
    },
    {
      path: 'services/platform/package.json',
      what: `the dependency on @botplatform/${name}`,
      done: (text) => Boolean(JSON.parse(text).dependencies?.[`@botplatform/${name}`]),
      apply: (text) =>
        replaceOnce(
          text,
          'services/platform/package.json',
          '"dependencies": {',
          /"dependencies": \{(\s*)/,
          (_, space) => `"dependencies": {${space}"@botplatform/${name}": "*",${space || ' '}`,
        ),
    },
    {
      path: 'services/platform/tsconfig.json',
      what: `the project reference to ../${name}`,
      done: (text) => JSON.parse(text).references.some((ref) => ref.path === `../${name}`),
      apply: (text) =>
        replaceOnce(
          text,
          'services/platform/tsconfig.json',
          '"references": [',
          /"references": \[(\s*)/,
          (_, space) => `"references": [${space}{ "path": "../${name}" },${space || ' '}`,
        ),
    },
    {
      path: 'services/platform/src/platform.ts',
      what: `${name}Service in platformServices`,
      done: (text) => text.includes(`${name}Service,`),
      apply: (text) =>
        insertBefore(
          insertAfterLast(text, 'services/platform/src/platform.ts', 'an import', /^import .* from '.*';$/, [
            `import { ${name}Service } from '@botplatform/${name}';`,
          ]),
          'services/platform/src/platform.ts',
          'the marker "`npm run new:service` adds new services here"',
          (line) => line.includes('`npm run new:service` adds new services here'),
          (marker) => [`${indentOf(marker)}${name}Service,`],
        ),
    },
    {
      path: 'services/platform/src/platform-nats-access.ts',
      what: `the broker user "${name}"`,
      done: (text) => text.includes(`user: '${name}'`),
      apply: (text) =>
        insertBefore(
          text,
          'services/platform/src/platform-nats-access.ts',
          'the marker "`npm run new:service` adds the user of each new service here"',
          (line) => line.includes('`npm run new:service` adds the user of each new service here'),
          (marker) => [`${indentOf(marker)}{ user: '${name}', service: true, consumers: [], requests: DECLARES_BOT_FEATURES },`],
        ),
    },
    {
      path: 'libs/contracts/src/event-registry.ts',
      what: `file_botplatform_${name}_v1_notes in contractFiles`,
      done: (text) => text.includes(`file_botplatform_${name}_v1_notes,`),
      apply: (text) =>
        insertBefore(
          insertAfterLast(text, 'libs/contracts/src/event-registry.ts', 'an import of gen/', /^import .* from '\.\/gen\/.*';$/, [
            `import { file_botplatform_${name}_v1_notes } from './gen/botplatform/${name}/v1/notes_pb.js';`,
          ]),
          'libs/contracts/src/event-registry.ts',
          'the marker "`npm run new:service` adds the files of each new service here"',
          (line) => line.includes('`npm run new:service` adds the files of each new service here'),
          (marker) => [`${indentOf(marker)}file_botplatform_${name}_v1_notes,`],
        ),
    },
    {
      path: 'libs/contracts/src/rpc-registry.ts',
      what: `RPC.${name}, from ${Name}Rpc`,
      done: (text) => text.includes(`${name}: rpcMethodsOf(${Name}Rpc),`),
      apply: (text) => {
        const path = 'libs/contracts/src/rpc-registry.ts';
        const imported = insertAfterLast(text, path, 'an import of gen/', /^import .* from '\.\/gen\/.*';$/, [
          `import { ${Name}Rpc } from './gen/botplatform/${name}/v1/notes_pb.js';`,
        ]);
        const declared = insertBefore(
          imported,
          path,
          'the marker "`npm run new:service` adds the RPC service of each new service here"',
          (line) => line.includes('`npm run new:service` adds the RPC service of each new service here'),
          (marker) => [`${indentOf(marker)}${name}: rpcMethodsOf(${Name}Rpc),`],
        );
        return insertBefore(
          declared,
          path,
          'the marker "`npm run new:service` adds the RPC service of each new service to this list too"',
          (line) => line.includes('`npm run new:service` adds the RPC service of each new service to this list too'),
          (marker) => [`${indentOf(marker)}${Name}Rpc,`],
        );
      },
    },
    {
      path: 'libs/contracts/src/index.ts',
      what: `the export of gen/botplatform/${name}/v1/notes_pb.js`,
      done: (text) => text.includes(`'./gen/botplatform/${name}/v1/notes_pb.js'`),
      apply: (text) =>
        insertAfterLast(text, 'libs/contracts/src/index.ts', "an `export * from './gen/…'` line", /^export \* from '\.\/gen\/.*';$/, [
          `export * from './gen/botplatform/${name}/v1/notes_pb.js';`,
        ]),
    },
    {
      path: 'docker-compose.yml',
      what: `the "${name}" container, its broker password and the broker's copy of it`,
      done: (text) => text.includes(`\n  ${name}:\n`),
      apply: (text) => {
        const ports = [...text.matchAll(/"(\d+):3000"/g)].map((match) => Number(match[1]));
        const port = Math.max(3000, ...ports) + 1;
        let next = insertAfterLast(
          text,
          'docker-compose.yml',
          'a service password under x-nats-passwords',
          /^ {2}(?!operator:)[a-z0-9]+: &nats-[a-z0-9]+-password /,
          [`  ${name}: &nats-${name}-password \${BP_NATS_${NAME_}_PASSWORD:-dev-nats-${name}-password}`],
        );
        next = insertAfterLast(
          next,
          'docker-compose.yml',
          "a service password in the nats container's environment",
          /^ {6}BP_NATS_(?!OPERATOR_)[A-Z0-9]+_PASSWORD: \*nats-/,
          [`      BP_NATS_${NAME_}_PASSWORD: *nats-${name}-password`],
        );
        return insertBefore(next, 'docker-compose.yml', 'the top-level "volumes:"', (line) => line === 'volumes:', [
          `  ${name}:`,
          '    build: { context: ., dockerfile: deploy/Dockerfile }',
          `    command: ["${name}"]`,
          '    environment:',
          `      DATABASE_URL: postgresql://postgres@postgres:5432/${name}`,
          '      NATS_URL: nats://nats:4222',
          `      NATS_USER: ${name}`,
          `      NATS_PASSWORD: *nats-${name}-password`,
          '      HTTP_PORT: "3000"',
          `    ports: ["${port}:3000"]`,
          '    depends_on:',
          '      postgres: { condition: service_healthy }',
          '      nats: { condition: service_started }',
          '',
        ]);
      },
    },
    {
      path: 'deploy/k8s/nats.yaml',
      what: `BP_NATS_${NAME_}_PASSWORD from the Secret botplatform-${name}`,
      done: (text) => text.includes(`- name: BP_NATS_${NAME_}_PASSWORD`),
      apply: (text) =>
        insertBefore(
          text,
          'deploy/k8s/nats.yaml',
          'the BP_NATS_OPERATOR_PASSWORD variable',
          (line) => line.trim() === '- name: BP_NATS_OPERATOR_PASSWORD',
          (line) => [
            `${indentOf(line)}- name: BP_NATS_${NAME_}_PASSWORD`,
            `${indentOf(line)}  valueFrom: { secretKeyRef: { name: botplatform-${name}, key: nats-password } }`,
          ],
        ),
    },
    {
      path: 'deploy/postgres-init.sql',
      what: `the database ${name}`,
      done: (text) => new RegExp(`^CREATE DATABASE ${name};$`, 'm').test(text),
      apply: (text) => `${text.endsWith('\n') ? text : `${text}\n`}CREATE DATABASE ${name};\n`,
    },
    {
      path: 'README.md',
      what: 'its row in the layout table',
      done: (text) => text.includes(`| \`services/${name}\` |`),
      apply: (text) =>
        insertBefore(text, 'README.md', 'the layout row of services/platform', (line) => line.startsWith('| `services/platform` |'), [
          `| \`services/${name}\` | ${Name}: say what it owns (publishes \`${name}.*\`; made by \`npm run new:service\`) |`,
        ]),
    },
    {
      path: 'package-lock.json',
      what: `the workspace services/${name}`,
      done: (text) => Boolean(JSON.parse(text).packages[`services/${name}`]),
      apply: (text) => {
        const lock = JSON.parse(text);
        const { dependencies } = JSON.parse(readFileSync(join(TEMPLATES, 'services/__name__/package.json.tpl'), 'utf8'));
        lock.packages = withSortedKey(lock.packages, `node_modules/@botplatform/${name}`, { resolved: `services/${name}`, link: true });
        lock.packages = withSortedKey(lock.packages, `services/${name}`, {
          name: `@botplatform/${name}`,
          version: '0.1.0',
          dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => (a < b ? -1 : 1))),
        });
        const platform = lock.packages['services/platform'];
        if (platform) platform.dependencies = withSortedKey(platform.dependencies ?? {}, `@botplatform/${name}`, '*');
        // npm writes its lockfile this way, so only the new entries show in the diff.
        return `${JSON.stringify(lock, null, 2)}\n`;
      },
    },
  ];
}

/** The config whose `references` list every project: the root tsconfig.json, or tsconfig.build.json before it. */
function solutionConfig() {
  for (const path of ['tsconfig.json', 'tsconfig.build.json']) {
    if (!existsSync(join(ROOT, path))) continue;
    const references = JSON.parse(read(path)).references ?? [];
    if (references.some((ref) => /^(\.\/)?services\//.test(ref.path))) return path;
  }
  throw new GeneratorError('neither tsconfig.json nor tsconfig.build.json holds the project references (services/…)');
}

/** Makes the workspace resolvable at once, as `npm install` would: node_modules/@botplatform/<name>. */
function linkWorkspace(name) {
  const scope = join(ROOT, 'node_modules', '@botplatform');
  const link = join(scope, name);
  if (!existsSync(scope) || lstatExists(link)) return false;
  symlinkSync(`../../services/${name}`, link);
  return true;
}

function insertBefore(text, path, what, matches, lines) {
  const all = text.split('\n');
  const index = all.findIndex(matches);
  if (index < 0) throw missing(path, what, lines);
  const added = typeof lines === 'function' ? lines(all[index]) : lines;
  return [...all.slice(0, index), ...added, ...all.slice(index)].join('\n');
}

function insertAfterLast(text, path, what, pattern, lines) {
  const all = text.split('\n');
  const index = all.findLastIndex((line) => pattern.test(line));
  if (index < 0) throw missing(path, what, lines);
  return [...all.slice(0, index + 1), ...lines, ...all.slice(index + 1)].join('\n');
}

function replaceOnce(text, path, what, pattern, replacement) {
  if (!pattern.test(text)) throw missing(path, what, []);
  return text.replace(pattern, replacement);
}

function missing(path, what, lines) {
  const wanted = Array.isArray(lines) && lines.length ? `; add by hand:\n${lines.join('\n')}` : '';
  return new GeneratorError(`${path}: cannot find ${what}, where the new service goes${wanted}`);
}

/** A copy of `object` with `key` added before the first key that sorts after it (npm keeps these sorted). */
function withSortedKey(object, key, value) {
  const entries = Object.entries(object).filter(([existing]) => existing !== key);
  const index = entries.findIndex(([existing]) => existing !== '' && existing > key);
  entries.splice(index < 0 ? entries.length : index, 0, [key, value]);
  return Object.fromEntries(entries);
}

function indentOf(line) {
  return /^\s*/.exec(line)[0];
}

function fill(text, words) {
  return Object.entries(words).reduce((result, [placeholder, word]) => result.replaceAll(placeholder, word), text);
}

function read(path) {
  const file = join(ROOT, path);
  if (!existsSync(file)) throw new GeneratorError(`${path} is missing`);
  return readFileSync(file, 'utf8');
}

function templateFiles(directory) {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.tpl'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function findFiles(directory, extension) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name));
}

function lstatExists(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  try {
    execFileSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  } catch {
    throw new GeneratorError(
      `\`${command} ${args.join(' ')}\` failed (above). The files are written: fix it, then run \`npm run proto && npm run nats:config\``,
    );
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof GeneratorError)) throw error;
  console.error(`new:service: ${error.message}`);
  process.exit(1);
}
