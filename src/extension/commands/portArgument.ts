import { describePort, displayText, parsePortSpec, PortSpec, protocolRefusal, rankWebPorts, readContainerPorts } from '../../core';
import { PortNode } from '../tree/nodes/PortNodes';
import type { ContainerNode } from '../tree/nodes/ContainerNode';
import type { CommandContext } from './commandContext';

/**
 * The port to forward: a number passed by a caller (a port node, a test), else one of the
 * ports the container exposes or publishes (common web ports first), or one typed in.
 */
export async function portArgument(ctx: CommandContext, node: ContainerNode, given: unknown, preferWeb: boolean): Promise<PortSpec | undefined> {
  if (typeof given === 'number') return parsePortSpec(String(given));
  if (typeof given === 'string') return parsePortSpec(given);
  const ports = rankWebPorts(await readContainerPorts(node.daemon, node.container.Id));
  if (preferWeb && ports.length === 1) return { port: ports[0].port };
  const other = { label: 'Other port…', description: 'PORT or LOCAL:PORT', port: 0 };
  const pick = ports.length === 0 ? other : await ctx.prompts.pick(
    [...ports.map((p) => ({ label: displayText(describePort(p)), description: '', port: p.port })), other],
    { placeHolder: `Which port of ${displayText(node.name)}?` });
  if (!pick) return undefined;
  if (pick.port) return { port: pick.port };
  const text = await ctx.prompts.input({
    prompt: `Port of ${displayText(node.name)} to forward, optionally with the local port (LOCAL:PORT)`, placeHolder: '8080 or 18080:8080',
    validateInput: (v) => { try { parsePortSpec(v); return undefined; } catch (err) { return (err as Error).message; } },
  });
  return text ? parsePortSpec(text) : undefined;
}

/** A port row stands for its container and its port; other arguments pass through. A UDP row is refused. */
export function portNodeTarget(arg: unknown, portArg: unknown): { arg: unknown; portArg: unknown } {
  if (!(arg instanceof PortNode)) return { arg, portArg };
  const { port, protocol } = arg.port;
  if (protocol !== 'tcp') throw protocolRefusal(protocol, port, displayText(arg.containerNode.name));
  return { arg: arg.containerNode, portArg: port };
}
