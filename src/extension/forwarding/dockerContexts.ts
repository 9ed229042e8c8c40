import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DaemonLevel, LevelForwarder, Logger } from '../../core';

const run = promisify(execFile);

/** "docker-levels-" plus the level path, in the characters docker allows in context names. */
export function contextName(level: DaemonLevel): string {
  const base = (level.isRoot ? level.root.label : level.path).replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[-.]+/, '');
  return `docker-levels-${base || 'level'}`.slice(0, 100);
}

/**
 * docker contexts that point at a forwarder, created through the user's own docker CLI and
 * removed when the forwarder goes away, so no context is left pointing at a dead socket.
 */
export class DockerContexts {
  private readonly created = new Set<string>();

  constructor(private readonly log: Logger, private readonly docker = 'docker') {}

  async isCliPresent(): Promise<boolean> {
    try {
      await run(this.docker, ['--version'], { timeout: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  async create(level: DaemonLevel, forwarder: LevelForwarder): Promise<string> {
    const name = contextName(level);
    await this.remove(name);
    await run(this.docker, ['context', 'create', name, '--description', `Docker Levels: ${level.what}`, '--docker', `host=${forwarder.dockerHost}`], { timeout: 30_000 });
    this.created.add(name);
    forwarder.onDidStop(() => void this.remove(name));
    this.log.info(`docker context ${name} → ${forwarder.dockerHost}`);
    return name;
  }

  async remove(name: string): Promise<void> {
    try {
      await run(this.docker, ['context', 'rm', '--force', name], { timeout: 30_000 });
      if (this.created.delete(name)) this.log.info(`docker context ${name} removed`);
    } catch {
      // Not there.
    }
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.created].map((n) => this.remove(n)));
  }
}
