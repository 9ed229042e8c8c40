import * as vscode from 'vscode';
import { PassThrough } from 'node:stream';
import { classifyError, DaemonLevel } from '../../core';

/** Follows a container's logs in a terminal, at any depth; closing the terminal closes the stream. */
export class LogsPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private readonly controller = new AbortController();
  private stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;

  constructor(private readonly daemon: DaemonLevel, private readonly containerId: string, private readonly tty: boolean) {}

  open(): void {
    void this.follow();
  }

  private async follow(): Promise<void> {
    try {
      // The stream outlives the call's deadline, so it takes only the terminal's own signal.
      const stream = await this.daemon.call('Following logs', () => this.daemon.docker.getContainer(this.containerId).logs({
        follow: true, stdout: true, stderr: true, tail: 1000, abortSignal: this.controller.signal,
      } as never) as unknown as Promise<NodeJS.ReadableStream>, this.controller.signal);
      this.stream = stream;
      const out = new PassThrough();
      if (this.tty) stream.pipe(out); else this.daemon.docker.modem.demuxStream(stream, out, out);
      out.on('data', (c: Buffer) => this.writeEmitter.fire(c.toString('utf8').replace(/\r?\n/g, '\r\n')));
      stream.on('end', () => this.writeEmitter.fire('\r\n\x1b[2m[log stream ended]\x1b[0m\r\n'));
    } catch (err) {
      this.writeEmitter.fire(`\x1b[31m${classifyError(err, this.daemon.what).userMessage}\x1b[0m\r\n`);
    }
  }

  close(): void {
    this.controller.abort();
    this.stream?.destroy?.();
    this.writeEmitter.dispose();
  }
}
