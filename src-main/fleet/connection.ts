/**
 * Reaching the fleet's Redis. BullMQ keeps its connections alive through Redis restarts (ioredis reconnects), which
 * is what workers need; but a wrong URL or a Redis that is down must not leave a command waiting forever, so every
 * fleet command first checks the server with a client that does not retry, and gives up after
 * {@link CONNECT_TIMEOUT_MS} with a {@link FleetUnreachableError} (exit 69, sysexits' EX_UNAVAILABLE).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { oneLine } from '../pixels/one-line';

/** Exit code when the Redis of the fleet cannot be reached (sysexits' EX_UNAVAILABLE). */
export const EXIT_UNAVAILABLE = 69;

/** How long the first contact may take before the command gives up (the goal is a clear error within 5 s). */
export const CONNECT_TIMEOUT_MS = 3_000;

/** The Redis of the fleet did not answer. The message names the URL (without its password) and the cause. */
export class FleetUnreachableError extends Error {
  readonly code = 'FLEET_UNREACHABLE';

  constructor(url: string, cause: string) {
    super(`cannot reach Redis at ${redactUrl(url)}: ${cause}`);
    this.name = 'FleetUnreachableError';
  }
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Checks a `redis://` or `rediss://` URL; throws FleetUnreachableError naming what is wrong with it. */
function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FleetUnreachableError(url, 'not a URL (expected redis://host:port)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new FleetUnreachableError(url, `not a redis:// URL (${u.protocol})`);
}

/**
 * Connection options for BullMQ's long-lived connections: retries forever with a capped back-off (a worker outlives
 * a Redis restart), and `maxRetriesPerRequest: null` as BullMQ's workers require.
 */
export function fleetRedisOptions(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
}

/** A long-lived connection for BullMQ (see {@link fleetRedisOptions}). */
export function fleetConnection(url: string): Redis {
  return new Redis(url, fleetRedisOptions());
}

/**
 * Pings the server once, without retries, within {@link CONNECT_TIMEOUT_MS}.
 * @throws FleetUnreachableError with the reason (refused, timed out, authentication, a bad URL).
 */
export async function checkReachable(url: string): Promise<void> {
  checkUrl(url);
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: CONNECT_TIMEOUT_MS, enableOfflineQueue: false });
  // The socket's own error (ECONNREFUSED, ENOTFOUND…) comes as an 'error' event; the rejected call only says
  // "Connection is closed", so the event's message is the one reported.
  let socketError = '';
  probe.on('error', (err: Error) => void (socketError ||= err.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    });
    await Promise.race([probe.connect().then(() => probe.ping()), timeout]);
  } catch (err) {
    throw new FleetUnreachableError(url, oneLine(socketError || (err as Error).message || String(err)));
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}
