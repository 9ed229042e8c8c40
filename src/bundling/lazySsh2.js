'use strict';
// Stands in for ssh2 in the extension bundle. docker-modem requires it at load time, but only
// ssh:// endpoints use it: the real module, bundled apart as ssh2.js next to the bundle, is
// loaded on the first ssh connection.
const path = require('path');
let real;
function load() {
  if (!real) real = require(path.join(__dirname, 'ssh2.js'));
  return real;
}
class Client {
  constructor(...args) {
    return new (load().Client)(...args);
  }
}
module.exports = { Client };
