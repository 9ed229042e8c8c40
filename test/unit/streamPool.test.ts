import * as assert from 'node:assert/strict';
import { isLongLivedRequest } from '../../src/core/transport/streamPoolAgent';

describe('stream pools of tunnel agents (unit)', () => {
  it('gives long-lived requests a stream of their own and lets short ones share', () => {
    for (const path of ['/events', '/v1.41/events?filters=%7B%7D', '/exec/abc/start', '/v1.41/containers/x/attach?stream=1',
      '/containers/x/wait', '/containers/x/stats', '/containers/x/logs?stdout=1&follow=1', '/containers/x/logs?follow=true',
      '/images/get?names=a', '/images/a%3Alatest/get', '/images/load', '/images/create?fromImage=a', '/build', '/containers/x/archive?path=%2F']) {
      assert.equal(isLongLivedRequest(path), true, path);
    }
    for (const path of ['/_ping', '/v1.41/containers/json?all=1', '/containers/x/json', '/containers/x/exec', '/info', '/version',
      '/containers/x/logs?stdout=1&follow=0', '/containers/x/logs?tail=10', '/containers/x/stats?stream=false', '/exec/abc/json',
      '/images/json', '/containers/x/start', '/eventsx', undefined]) {
      assert.equal(isLongLivedRequest(path), false, String(path));
    }
  });
});
