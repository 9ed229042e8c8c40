import * as assert from 'node:assert/strict';
import { DaemonLevel, followContainerLogs, inspectContainer, Levels, listImages, runInContainer } from '../../src/core';
import { newLevels, openBedLevel, theBed } from './testBed';

/** The reads the front ends use instead of the client: inspect, images and followed logs. */
describe('container reads at depth 3 (integration)', () => {
  let levels: Levels;
  let l3: DaemonLevel;
  before(async () => {
    levels = newLevels();
    l3 = await openBedLevel(levels, 3);
  });
  after(() => levels.dispose());

  it('inspects a container and lists the images it runs', async () => {
    const details = await inspectContainer(l3, theBed().web3.id);
    assert.equal(details.Id, theBed().web3.id);
    const images = await listImages(l3);
    assert.ok(images.some((i) => i.id === details.Image), 'the image of web3 is in the level\'s image list');
  });

  it('a missing container is a classified notFound', async () => {
    await assert.rejects(inspectContainer(l3, 'dl-no-such-container'), (e: Error & { kind?: string }) => e.kind === 'notFound');
  });

  it('follows logs with stdout and stderr demuxed into one text stream', async () => {
    const follow = await followContainerLogs(l3, theBed().web3.id, false, { tail: 0 });
    try {
      let text = '';
      const seen = new Promise<void>((resolve) => follow.output.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (text.includes('dl-out-marker') && text.includes('dl-err-marker')) resolve();
      }));
      const r = await runInContainer(l3, theBed().web3.id, ['sh', '-c', 'echo dl-out-marker > /proc/1/fd/1; echo dl-err-marker > /proc/1/fd/2']);
      assert.equal(r.exitCode, 0, r.stderr);
      await seen;
      // eslint-disable-next-line no-control-regex -- the multiplexing header is control bytes
      assert.doesNotMatch(text, /[\x00-\x02]\x00\x00\x00/, 'no multiplexing headers reach the reader');
    } finally {
      follow.dispose();
    }
  });
});
