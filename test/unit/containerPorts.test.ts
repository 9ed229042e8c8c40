import * as assert from 'node:assert/strict';
import { parsePortSpec, portsFromInspect, portsFromListing, preferredWebPort, MAX_PORTS_PER_CONTAINER } from '../../src/core';

describe('container ports (unit)', () => {
  it('parses [LOCAL:]PORT and refuses anything else as bad input', () => {
    assert.deepEqual(parsePortSpec('80'), { port: 80, localPort: undefined });
    assert.deepEqual(parsePortSpec('8080:80'), { port: 80, localPort: 8080 });
    assert.deepEqual(parsePortSpec('0:443'), { port: 443, localPort: undefined });
    for (const bad of ['', 'http', '0', '70000', '80:', ':80', '1:2:3', '-1', '80/udp']) {
      assert.throws(() => parsePortSpec(bad), (e: { kind?: string }) => e.kind === 'badInput', bad);
    }
  });

  it('reads exposed and published ports from inspect, leaving out what has the wrong shape', () => {
    const ports = portsFromInspect({
      Config: { ExposedPorts: { '80/tcp': {}, '53/udp': {}, 'junk': {}, '99999/tcp': {} } },
      NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: 7, HostPort: '1' }], '443/tcp': null } },
    });
    assert.deepEqual(ports.map((p) => `${p.port}/${p.protocol}:${p.published.map((b) => b.hostPort).join(',')}`), ['53/udp:', '80/tcp:8080', '443/tcp:']);
    assert.deepEqual(portsFromInspect('not an object'), []);
  });

  it('bounds the ports a lying level lists, and prefers common web ports', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ PrivatePort: i + 1, Type: 'tcp' }));
    assert.equal(portsFromListing(many).length, MAX_PORTS_PER_CONTAINER);
    assert.equal(preferredWebPort(portsFromListing([{ PrivatePort: 22, Type: 'tcp' }, { PrivatePort: 3000, Type: 'tcp' }, { PrivatePort: 8080, Type: 'tcp' }])), 8080);
    assert.equal(preferredWebPort(portsFromListing([{ PrivatePort: 53, Type: 'udp' }])), undefined);
  });
});
