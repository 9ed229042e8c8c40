import * as assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { DockerLevelsError, splitByMarker } from '../../src/core';
import { checkPemFile } from '../../src/core/untrusted/pemShapes';

/** A self-signed test certificate (CN=docker-levels-test), public test data. */
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUY4w+I17Yf2FUCcvg88QRB6vNIy4wCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSZG9ja2VyLWxldmVscy10ZXN0MCAXDTI2MTIwMjE3MjM0NVoY
DzIxMjYxMTA4MTcyMzQ1WjAdMRswGQYDVQQDDBJkb2NrZXItbGV2ZWxzLXRlc3Qw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARN1T0HBlUv+T+pGsyiq94KKPbB7tJt
N0BNhtXRb9E6SigZDjlluuEK9EhsQ0wrH1NZa7hCzGVmzlvs5ZpWJuB1o1MwUTAd
BgNVHQ4EFgQUxYbS5r0vgZakldKh1FSdTwkQD8cwHwYDVR0jBBgwFoAUxYbS5r0v
gZakldKh1FSdTwkQD8cwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF
AiEA+PjUbh6uHnZ0h9zYD1hCEhxdPCDjWcW4cwt/6gSDo/gCID7LuS1VZwt9w0Ur
5xbPszBMcoB6CyH7pSMJZtkHkYor
-----END CERTIFICATE-----
`;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PKCS8 = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const SEC1 = ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string;

function refused(file: string, text: string | Buffer, kind: 'certificate' | 'privateKey', why: RegExp): void {
  assert.throws(() => checkPemFile(file, Buffer.from(text), kind), (e: unknown) => {
    assert.ok(e instanceof DockerLevelsError, String(e));
    assert.equal(e.kind, 'tls');
    assert.ok(e.message.startsWith(`${file} in the container is not a PEM`), e.message);
    assert.match(e.message, why);
    return true;
  });
}

describe('client certificate shapes (unit)', () => {
  it('accepts a certificate, a chain, and private keys in PKCS#8 and SEC1 form, returning the bytes as read', () => {
    const cert = Buffer.from(CERT);
    assert.equal(checkPemFile('/certs/client/cert.pem', cert, 'certificate'), cert);
    assert.ok(checkPemFile('/certs/client/ca.pem', Buffer.from(`${CERT}${CERT}`), 'certificate'));
    assert.ok(checkPemFile('/certs/client/key.pem', Buffer.from(PKCS8), 'privateKey'));
    assert.ok(checkPemFile('/certs/client/key.pem', Buffer.from(SEC1), 'privateKey'));
    assert.ok(checkPemFile('/certs/client/cert.pem', Buffer.from(`subject=CN = docker-levels-test\n${CERT.replace(/\n/g, '\r\n')}`), 'certificate'));
  });

  it('refuses garbage, the wrong kind, a block that does not parse, and bytes outside the blocks', () => {
    refused('/c/ca.pem', 'not a certificate at all\n', 'certificate', /no PEM block/);
    refused('/c/ca.pem', Buffer.from([0, 1, 2, 0xff]), 'certificate', /no PEM block/);
    refused('/c/ca.pem', PKCS8, 'certificate', /a PRIVATE KEY block/);
    refused('/c/key.pem', CERT, 'privateKey', /a CERTIFICATE block/);
    refused('/c/key.pem', `${PKCS8}${PKCS8}`, 'privateKey', /2 private keys/);
    refused('/c/cert.pem', CERT.replace('MIIBkTCCATeg', 'AAAAAAAAAAAA'), 'certificate', /does not parse/);
    refused('/c/key.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'privateKey', /does not parse/);
    refused('/c/cert.pem', `${CERT}\x1b[2J`, 'certificate', /outside its PEM blocks/);
    refused('/c/cert.pem', `${CERT}-----BEGIN CERTIFICATE-----\nAAAA`, 'certificate', /outside its PEM blocks/);
  });

  it('splits one exec\'s output at the marker lines, only when all three are there and nothing follows', () => {
    const m = 'dl-certs-0123';
    const out = Buffer.from(`a\n${m}\nb\nb\n${m}\nc\n${m}\n`);
    assert.deepEqual(splitByMarker(out, m)?.map(String), ['a', 'b\nb', 'c']);
    assert.equal(splitByMarker(Buffer.from(`a\n${m}\nb\n${m}\n`), m), undefined, 'a file missing');
    assert.equal(splitByMarker(Buffer.from(`a\n${m}\nb\n${m}\nc\n${m}\nmore`), m), undefined, 'bytes after the last marker');
    assert.equal(splitByMarker(Buffer.from(''), m), undefined);
  });
});
