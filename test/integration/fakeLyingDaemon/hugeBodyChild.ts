// Run in its own process so its peak memory is its own: reads one body from a fake daemon
// through jsonGet and prints the error kind and the process's peak RSS as JSON.
import Docker from 'dockerode';
import { jsonGetFor } from '../../../src/core/transport/jsonGet';
import { classifyError } from '../../../src/core/errors';

async function main(): Promise<void> {
  const get = jsonGetFor(new Docker({ host: '127.0.0.1', port: Number(process.argv[2]), protocol: 'http' }))!;
  let kind = 'none';
  let message = '';
  try {
    await get('/containers/json', 120_000, 'Fake level');
  } catch (err) {
    kind = classifyError(err).kind;
    message = classifyError(err).message;
  }
  process.stdout.write(JSON.stringify({ kind, message, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
}
void main();
