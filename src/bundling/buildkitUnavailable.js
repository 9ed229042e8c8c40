'use strict';
// Stands in for @grpc/grpc-js, @grpc/proto-loader and protobufjs in the extension bundle.
// dockerode loads them for BuildKit sessions and build progress only, which Docker Levels never
// uses (and which need .proto files a bundle does not carry anyway). Any use throws.
const message = 'BuildKit sessions are not available in Docker Levels: gRPC and protobuf are left out of its bundle.';
function unavailable() {
  throw new Error(message);
}
module.exports = new Proxy(unavailable, {
  get(_target, key) {
    // Module interop probes must not throw; every real member is a function that does.
    if (typeof key === 'symbol' || key === '__esModule' || key === 'then' || key === 'default') return undefined;
    return unavailable;
  },
  apply: unavailable,
  construct: unavailable,
});
