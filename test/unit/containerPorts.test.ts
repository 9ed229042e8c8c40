import * as assert from 'node:assert/strict';
import { parsePortSpec, portsFromInspect, portsFromListing, preferredWebPort, MAX_PORTS_PER_CONTAINER, relayIpOf } from '../../src/core';

describe('container ports (unit)', () => {
  it('parses [LOCAL:]PORT and refuses anything else as bad input', () => {
    assert.deepEqual(parsePortSpec('80'), { port: 80, localPort: undefined });
    assert.deepEqual(parsePortSpec('8080:80'), { port: 80, localPort: 8080 });
    assert.deepEqual(parsePortSpec('0:443'), { port: 443, localPort: undefined });
    assert.deepEqual(parsePortSpec('8080:80/tcp'), { port: 80, localPort: 8080 });
    for (const bad of ['', 'http', '0', '70000', '80:', ':80', '1:2:3', '-1', '80/udp', '80/icmp']) {
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

  it('refuses UDP and SCTP by name, not as "not a port"', () => {
    for (const [spec, which] of [['53/udp', 'UDP'], ['5353:53/UDP', 'UDP'], ['9899/sctp', 'SCTP']]) {
      assert.throws(() => parsePortSpec(spec), (e: { kind?: string; message?: string }) => e.kind === 'badInput'
        && new RegExp(`^Port \\d+/\\w+: ${which} ports cannot be forwarded yet\\.$`).test(e.message ?? ''), spec);
    }
  });

  it('relays to the first IPv4 address, the host loopback with host networking, and refuses IPv6-only containers by name', () => {
    const net = (networks: Record<string, unknown>, mode = 'bridge') => ({ HostConfig: { NetworkMode: mode }, NetworkSettings: { Networks: networks } });
    assert.equal(relayIpOf(net({ a: { IPAddress: '', GlobalIPv6Address: 'fd00::2' }, b: { IPAddress: '10.0.0.5' } }), 'web'), '10.0.0.5');
    assert.equal(relayIpOf(net({}, 'host'), 'web'), '127.0.0.1');
    // Sharing another container's namespace: the owner's address.
    assert.equal(relayIpOf(net({}, 'container:abc'), 'side', net({ b: { IPAddress: '10.0.0.9' } })), '10.0.0.9');
    // An inspect answer as Docker 27 gives for a container on an --ipv4=false network only.
    assert.throws(() => relayIpOf(net({ v6: { IPAddress: '', GlobalIPv6Address: 'fd00:1::3' } }), 'v6web'),
      /^DockerLevelsError: Container v6web has an IPv6 address only \(fd00:1::3\): IPv6-only containers cannot be forwarded yet\.$/);
    assert.throws(() => relayIpOf(net({}, 'none'), 'lonely'), /no IPv4 address on any network \(network mode none\)/);
  });
});
