import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as os from 'node:os';
import * as path from 'node:path';
import { isDockerBridge, isOnLocalInterface } from '../../src/core/transport/routes';

const v4 = (address: string, netmask: string): os.NetworkInterfaceInfo =>
  ({ address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: null });

describe('routes (unit): no LAN on a guess', () => {
  const interfaces = {
    eth0: [v4('192.0.2.2', '255.255.255.0')],
    docker0: [v4('172.17.0.1', '255.255.0.0')],
    'br-0123456789ab': [v4('10.100.1.1', '255.255.255.0')],
  };
  const bridges = (name: string) => name === 'docker0' || name === 'br-0123456789ab';

  it('dials a container IP on a Docker bridge, and loopback', () => {
    assert.equal(isOnLocalInterface('172.17.0.5', interfaces, bridges), true);
    assert.equal(isOnLocalInterface('10.100.1.7', interfaces, bridges), true);
    assert.equal(isOnLocalInterface('127.0.0.1', interfaces, bridges), true);
  });

  it('never dials an address in a network card\'s subnet, nor one on no interface', () => {
    assert.equal(isOnLocalInterface('192.0.2.77', interfaces, bridges), false);
    assert.equal(isOnLocalInterface('203.0.113.9', interfaces, bridges), false);
    assert.equal(isOnLocalInterface('172.17.0.1', interfaces, bridges), false, 'the bridge\'s own address is not a container');
  });

  it('takes a bridge for Docker\'s only by its name and, in sysfs, a software bridge without a device', () => {
    const sys = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'dl-sysfs-'));
    try {
      fs.mkdirSync(path.join(sys, 'docker0', 'bridge'), { recursive: true });
      fs.mkdirSync(path.join(sys, 'br-0123456789ab', 'device'), { recursive: true });
      fs.mkdirSync(path.join(sys, 'br-0123456789ab', 'bridge'), { recursive: true });
      fs.mkdirSync(path.join(sys, 'virbr0', 'bridge'), { recursive: true });
      assert.equal(isDockerBridge('docker0', sys), true);
      assert.equal(isDockerBridge('br-0123456789ab', sys), false, 'a device behind it: a card renamed like a bridge');
      assert.equal(isDockerBridge('virbr0', sys), false, 'not a name Docker gives');
      assert.equal(isDockerBridge('eth0', sys), false);
    } finally {
      fs.rmSync(sys, { recursive: true, force: true });
    }
  });
});
