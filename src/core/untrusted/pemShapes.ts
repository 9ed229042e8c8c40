import { createPrivateKey, X509Certificate } from 'node:crypto';
import { DockerLevelsError } from '../errors';

/** What a client-certificate file must hold: certificates (ca.pem, cert.pem) or one private key (key.pem). */
export type PemKind = 'certificate' | 'privateKey';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n([A-Za-z0-9+/=\r\n]{1,65536}?)-----END \1-----/g;
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);
/** openssl ecparam -genkey writes the curve before an EC key. */
const KEY_EXTRA_LABELS = new Set(['EC PARAMETERS']);
/** Outside its blocks a PEM file may carry printable text (openssl's "Bag Attributes", comments), nothing else. */
const TEXT_AROUND_BLOCKS = /^[\x20-\x7e\t\r\n]*$/;

function notPem(file: string, kind: PemKind, why: string): DockerLevelsError {
  const what = kind === 'certificate' ? 'a PEM certificate' : 'a PEM private key';
  return new DockerLevelsError('tls', `${file} in the container is not ${what} (${why}).`,
    'A docker:dind level writes its client certificates itself; this level may not be what it claims, or its /certs/client was changed.');
}

/**
 * Checks that a file read from a level holds PEM of the expected kind, and that every block
 * parses (X.509 for certificates, a private key for the key): a level's answer is untrusted,
 * and garbage would otherwise surface as an obscure TLS error, or none at all.
 */
export function checkPemFile(file: string, content: Buffer, kind: PemKind): Buffer {
  const text = content.toString('latin1');
  const blocks: { label: string; pem: string }[] = [];
  let outside = '';
  let last = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    outside += text.slice(last, m.index);
    last = m.index! + m[0].length;
    blocks.push({ label: m[1], pem: m[0] });
  }
  outside += text.slice(last);
  if (blocks.length === 0) throw notPem(file, kind, 'no PEM block');
  if (!TEXT_AROUND_BLOCKS.test(outside) || outside.includes('-----')) throw notPem(file, kind, 'bytes outside its PEM blocks');
  if (kind === 'certificate') {
    const other = blocks.find((b) => b.label !== 'CERTIFICATE');
    if (other) throw notPem(file, kind, `a ${other.label} block`);
    for (const b of blocks) {
      try { new X509Certificate(b.pem); } catch { throw notPem(file, kind, 'a CERTIFICATE block that does not parse'); }
    }
  } else {
    const keys = blocks.filter((b) => KEY_LABELS.has(b.label));
    const other = blocks.find((b) => !KEY_LABELS.has(b.label) && !KEY_EXTRA_LABELS.has(b.label));
    if (other) throw notPem(file, kind, `a ${other.label} block`);
    if (keys.length !== 1) throw notPem(file, kind, `${keys.length} private keys`);
    try { createPrivateKey(keys[0].pem); } catch { throw notPem(file, kind, `a ${keys[0].label} block that does not parse`); }
  }
  return content;
}
