/**
 * Item 10: files at depth 3 (issue 16). Reading and writing 50 MB through the archive API at
 * depth 3 against `docker cp` at depth 1 and the `docker exec … cat` chain at depth 3; listing
 * a directory of 5,000 entries (find/stat through exec, and the archive route).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { ContainerFiles, listViaArchive } from '../../src/core';
import { BenchContext, chainArgs, chainTo, docker } from './benchContext';
import { ms, ratioOf, Row } from './report';
import { median, summarize } from './stats';

const BYTES = 50_000_000;
const ENTRIES = 5_000;
const ROUNDS = 3;
const DIR = '/tmp/dl-bench-files';

/** Runs the docker CLI with `input` on stdin; resolves with the ms taken and the stdout byte count. */
function timeCli(args: string[], input?: Buffer): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { bytes += c.length; });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t, bytes }) : reject(new Error(`docker ${args.join(' ')}: exit ${code}: ${stderr.trim()}`))));
    child.stdin.end(input);
  });
}

async function oneFileTar(name: string, body: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const rounds = async (work: () => Promise<unknown>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await work();
    out.push(performance.now() - t);
  }
  return out;
};

export async function filesBench(ctx: BenchContext): Promise<Row[]> {
  const l3 = ctx.daemons[3];
  const web3 = ctx.bed.web3;
  const web1 = ctx.bed.web1;
  const chain3 = chainTo(ctx.bed, 3);
  const chain1 = chainTo(ctx.bed, 1);
  const files = new ContainerFiles(l3, web3.id);
  const body = Buffer.alloc(BYTES, 0x61);
  const setup = `rm -rf ${DIR} && mkdir -p ${DIR}/many && head -c ${BYTES} /dev/zero > ${DIR}/big && cd ${DIR}/many && i=0; while [ $i -lt ${ENTRIES} ]; do : > "f$i"; i=$((i+1)); done`;
  await docker(chainArgs(chain3, ['exec', web3.name, 'sh', '-c', setup]), 600_000);
  await docker(chainArgs(chain1, ['exec', web1.name, 'sh', '-c', `rm -rf ${DIR} && mkdir -p ${DIR} && head -c ${BYTES} /dev/zero > ${DIR}/big`]));
  try {
    ctx.log(`item 10: read 50 MB at depth 3 (${l3.transport.kind}), ${ROUNDS} rounds each`);
    const coreRead = await rounds(async () => {
      const read = await files.open(`${DIR}/big`, { maxBytes: BYTES });
      let got = 0;
      for await (const c of read.content) got += (c as Buffer).length;
      if (got !== BYTES) throw new Error(`read ${got} bytes`);
    });
    const cpRead1 = await rounds(() => timeCli(chainArgs(chain1, ['cp', `${web1.name}:${DIR}/big`, '-'])));
    const catRead3 = await rounds(() => timeCli(chainArgs(chain3, ['exec', web3.name, 'cat', `${DIR}/big`])));
    ctx.log('item 10: write 50 MB');
    const coreWrite = await rounds(() => files.write(`${DIR}/written`, { stream: Readable.from([body]), size: BYTES }));
    const archive = await oneFileTar('written', body);
    const cpWrite1 = await rounds(() => timeCli(chainArgs(chain1, ['cp', '-', `${web1.name}:${DIR}`]), archive));
    const catWrite3 = await rounds(() => timeCli(chainArgs(chain3, ['exec', '-i', web3.name, 'sh', '-c', `cat > ${DIR}/written`]), body));
    ctx.log(`item 10: list ${ENTRIES} entries`);
    const listExec = await rounds(async () => { if ((await files.list(`${DIR}/many`)).length !== ENTRIES) throw new Error('listing count'); });
    const listArchive = await rounds(async () => { if ((await listViaArchive(l3, web3.id, `${DIR}/many`)).length !== ENTRIES) throw new Error('archive listing count'); });
    const lsChain = await rounds(() => timeCli(chainArgs(chain3, ['exec', web3.name, 'ls', '-la', `${DIR}/many`])));
    const m = (xs: number[]) => ms(median(xs));
    ctx.details.files = {
      bytes: BYTES, entries: ENTRIES, transportDepth3: l3.transport,
      coreReadMs: summarize(coreRead), cpReadDepth1Ms: summarize(cpRead1), catReadDepth3Ms: summarize(catRead3),
      coreWriteMs: summarize(coreWrite), cpWriteDepth1Ms: summarize(cpWrite1), catWriteDepth3Ms: summarize(catWrite3),
      listExecMs: summarize(listExec), listArchiveMs: summarize(listArchive), lsChainDepth3Ms: summarize(lsChain),
    };
    const row = (name: string, figure: number[], label: string, base: number[]): Row => ({
      item: 10, name, figure: m(figure), baseline: { label, value: m(base) }, ratio: ratioOf(m(figure), m(base), '× baseline time'),
    });
    return [
      row('read 50 MB at depth 3 vs docker cp at depth 1', coreRead, 'docker cp L1', cpRead1),
      row('read 50 MB at depth 3 vs exec chain cat at depth 3', coreRead, 'exec cat L3', catRead3),
      row('write 50 MB at depth 3 vs docker cp - at depth 1', coreWrite, 'docker cp L1', cpWrite1),
      row('write 50 MB at depth 3 vs exec chain cat > at depth 3', coreWrite, 'exec cat L3', catWrite3),
      row(`list ${ENTRIES} entries at depth 3 (find/stat) vs exec chain ls -la`, listExec, 'ls -la L3', lsChain),
      row(`list ${ENTRIES} entries at depth 3 (archive) vs exec chain ls -la`, listArchive, 'ls -la L3', lsChain),
    ];
  } finally {
    await docker(chainArgs(chain3, ['exec', web3.name, 'rm', '-rf', DIR])).catch(() => undefined);
    await docker(chainArgs(chain1, ['exec', web1.name, 'rm', '-rf', DIR])).catch(() => undefined);
  }
}
