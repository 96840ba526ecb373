// Starts a nest-cli.json application project from its build output: `npm run start:service -- users`.
// The project list in nest-cli.json is the one source of what can be started and from which entry file.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

const name = process.argv[2];
const { projects } = JSON.parse(readFileSync(new URL('../nest-cli.json', import.meta.url), 'utf8'));
const applications = Object.entries(projects)
  .filter(([, p]) => p.type === 'application')
  .map(([n]) => n);
const project = projects[name];
if (project?.type !== 'application') {
  console.error(`usage: npm run start:service -- <${applications.join('|')}>`);
  process.exit(2);
}
const entry = join(project.root, 'dist', `${project.entryFile}.js`);
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`npm run build\` first`);
  process.exit(2);
}
// Its own process group: Ctrl+C in the terminal signals the whole foreground group, and the embedded
// PostgreSQL (the child's child) would take it as a fast shutdown under services still draining. The
// signal reaches the service through this script only, and the service stops its database last.
// Node options (`botplatform.nodeOptions` in a package.json): the repository's apply to every service
// (AsyncLocalStorage on async context frames, ADR 0022), then the service's own: the gamification service
// keeps a smaller young generation, since its memory is the leaderboards' (ADR 0015).
const nodeOptionsOf = (packageFile) => (existsSync(packageFile) ? (JSON.parse(readFileSync(packageFile, 'utf8')).botplatform?.nodeOptions ?? []) : []);
const nodeOptions = [...nodeOptionsOf(new URL('../package.json', import.meta.url)), ...nodeOptionsOf(join(project.root, 'package.json'))];
const child = spawn(process.execPath, [...nodeOptions, entry], { stdio: 'inherit', detached: true });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
// Its exit code is ours: 0 after a clean stop; 128 + n if a signal killed it, as a shell reports it.
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
