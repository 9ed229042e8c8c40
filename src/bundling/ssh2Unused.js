'use strict';
// Stands in for ssh2 in the bundles. docker-modem requires it at load time for its own ssh://
// transport, which Docker Levels does not use: ssh:// roots run the system ssh
// (src/core/transport/sshCommand.ts). Any use throws.
const message = "docker-modem's ssh transport is not used in Docker Levels: ssh:// roots run the system ssh.";
class Client {
  constructor() {
    throw new Error(message);
  }
}
module.exports = { Client };
