'use strict';
// Entry of out/ssh2.js: ssh2 bundled on its own, loaded by lazySsh2.js on the first ssh:// connection.
module.exports = require('ssh2');
