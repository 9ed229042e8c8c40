/**
 * Which Engine API requests hold their connection for as long as they live: event and log
 * streams, attach, wait, stats, exec start, image transfers, builds, archives, and the calls
 * that wait on a container (stop, restart). The pooled forwarder gives each of them a stream
 * of its own, so none can hold one of the few shared streams that short requests take turns on.
 */
const LONG_LIVED = new RegExp('^(?:/v[\\d.]+)?/(?:events'
  + '|containers/[^/?]+/(?:attach|wait|stats|export|archive|stop|restart|logs)'
  + '|exec/[^/?]+/start'
  + '|images/(?:get|load|create|[^?]+/(?:get|push))'
  + '|build|session|grpc|plugins/(?:pull|[^/?]+/(?:upgrade|push)))(?:[/?]|$)');
/** Logs and stats are short when they do not follow. */
const FOLLOWED_LOGS = /^(?:\/v[\d.]+)?\/containers\/[^/?]+\/logs\?(?:.*&)?follow=(?:1|true)(?:&|$)/;
const STATS_ONCE = /[?&]stream=(?:0|false)(?:&|$)/;

export function isLongLivedRequest(url: string | undefined): boolean {
  if (!url || !LONG_LIVED.test(url)) return false;
  const path = url.split('?')[0];
  if (path.endsWith('/logs')) return FOLLOWED_LOGS.test(url);
  if (path.endsWith('/stats')) return !STATS_ONCE.test(url);
  return true;
}

/** Headers that belong to one connection, not to the request (RFC 9110 7.6.1); Node sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** A raw header list ([name, value, …], as message.rawHeaders) without the hop-by-hop ones. */
export function endToEndHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

/** The request line and headers as the client sent them, for a stream spliced after it. */
export function requestHead(method: string, url: string, httpVersion: string, rawHeaders: readonly string[]): string {
  const lines = [`${method} ${url} HTTP/${httpVersion}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
