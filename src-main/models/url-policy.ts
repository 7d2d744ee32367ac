/**
 * Which pack URLs a remote caller (the loopback web bridge) may make Revive fetch. The bridge is reachable by any
 * page the browser opens, so a URL from it must not turn Revive into a proxy into this machine or the local network:
 * only http(s) to hosts whose every address is public. The desktop app, where the user typed the URL, is not limited.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { CodedError } from '../pixels/coded-error';

/** A URL refused by {@link checkRemotePackUrl}. */
export class PackUrlRefusedError extends CodedError<'NOT_ALLOWED'> {
  constructor(message: string) {
    super('NOT_ALLOWED', message);
    this.name = 'PackUrlRefusedError';
  }
}

const PRIVATE = new BlockList();
PRIVATE.addSubnet('0.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** True for loopback, private, link-local and unspecified addresses (IPv4-mapped IPv6 judged as its IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Refuses a pack URL unless it is http(s) and its host resolves only to public addresses.
 * @throws PackUrlRefusedError
 */
export async function checkRemotePackUrl(url: string, resolve: typeof lookup = lookup): Promise<void> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PackUrlRefusedError('not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PackUrlRefusedError(`only http(s) pack URLs can be installed from the web bridge, not ${u.protocol}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await resolve(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new PackUrlRefusedError(`host ${host} cannot be resolved`);
  if (addresses.some(isPrivateAddress)) {
    throw new PackUrlRefusedError(`host ${host} is on this machine or its local network; install such packs from the desktop app or the CLI`);
  }
}
