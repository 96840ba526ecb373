import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Jest runs from the repository root.
const root = process.cwd();
const json = <T>(path: string): T => JSON.parse(readFileSync(join(root, path), 'utf8')) as T;

interface NestProject {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
}

describe('The monorepo layout', () => {
  const { projects } = json<{ projects: Record<string, NestProject> }>('nest-cli.json');
  const folders = ['libs', 'services'].flatMap((parent) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`),
  );

  it('lists every service and lib folder as a nest-cli.json project, and nothing else', () => {
    expect(
      Object.values(projects)
        .map((p) => p.root)
        .sort(),
    ).toEqual([...folders].sort());
  });

  it('gives every project an existing entry file of its kind', () => {
    for (const project of Object.values(projects)) {
      expect(project.type).toBe(project.root.startsWith('services/') ? 'application' : 'library');
      expect(existsSync(join(root, project.sourceRoot, `${project.entryFile}.ts`))).toBe(true);
    }
  });

  it('builds every project (tsconfig.json references each one)', () => {
    const { references } = json<{ references: { path: string }[] }>('tsconfig.json');
    const built = new Set(references.map((r) => r.path));
    for (const project of Object.values(projects)) expect(built.has(project.root)).toBe(true);
  });
});
