import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The layering, read from the sources: no import cycle, the core never imports a front end or
 * vscode, the extension never reaches the Docker client, and levels never import actions.
 */
const SRC = path.resolve(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

interface Import { spec: string; typeOnly: boolean }

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|require\('([^']+)'\)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) found.push({ spec: m[3] ?? m[4] ?? m[5], typeOnly: !!m[2] });
  return found;
}

/** The src file a relative specifier names, or undefined for a package. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => existsSync(f) && statSync(f).isFile());
}

const rel = (f: string) => path.relative(SRC, f);
const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('imports (unit)', () => {
  it('finds the sources and their imports', () => {
    assert.ok(files.length > 50, `only ${files.length} files under src`);
    assert.ok(graph.get(path.join(SRC, 'extension', 'extension.ts'))!.some((i) => i.spec === 'vscode'));
  });

  it('has no import cycle (type-only imports included)', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const i of graph.get(f) ?? []) {
        const to = resolve(f, i.spec);
        if (!to) continue;
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].map(rel).join(' → '));
        else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('the core never imports vscode or a front end', () => {
    const bad = files.filter((f) => rel(f).startsWith(`core${path.sep}`)).flatMap((f) => graph.get(f)!
      .filter((i) => i.spec === 'vscode' || /^(extension|cli)\//.test(rel(resolve(f, i.spec) ?? SRC)))
      .map((i) => `${rel(f)} imports ${i.spec}`));
    assert.deepEqual(bad, []);
  });

  it('the extension never imports the Docker client', () => {
    const bad = files.filter((f) => rel(f).startsWith(`extension${path.sep}`)).flatMap((f) => graph.get(f)!
      .filter((i) => i.spec === 'dockerode' || i.spec === 'docker-modem').map((i) => `${rel(f)} imports ${i.spec}`));
    assert.deepEqual(bad, []);
  });

  it('levels never import actions (actions are built on levels)', () => {
    const bad = files.filter((f) => rel(f).startsWith(path.join('core', 'levels'))).flatMap((f) => graph.get(f)!
      .filter((i) => rel(resolve(f, i.spec) ?? SRC).startsWith(path.join('core', 'actions')))
      .map((i) => `${rel(f)} imports ${i.spec}`));
    assert.deepEqual(bad, []);
  });

  it('no front end reads a level\'s Docker client (`x.docker`; the core keeps it)', () => {
    const frontEnds = files.filter((f) => /^(extension|cli)\//.test(rel(f).split(path.sep).join('/')));
    assert.ok(frontEnds.length > 20, `only ${frontEnds.length} front-end files`);
    const bad = frontEnds.flatMap((f) => dockerReads(rel(f), readFileSync(f, 'utf8')));
    assert.deepEqual(bad, []);
    // The check itself can fail: it sees a read through a level, and not this.docker or a label.
    assert.deepEqual(dockerReads('x.ts', 'const c = level.docker; this.docker = 1; const l = "com.docker.compose";'), ['x.ts:1 level.docker']);
  });
});

/** Every `something.docker` in a source, except `this.docker` (a class's own field of that name). */
function dockerReads(name: string, text: string): string[] {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'docker' && node.expression.kind !== ts.SyntaxKind.ThisKeyword) {
      found.push(`${name}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${node.getText()}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
