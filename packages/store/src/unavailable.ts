/**
 * Whether a store error means "the store cannot take writes right now" (busy, locked, disk full, server
 * unreachable) rather than "this data cannot be stored". The processor treats the first kind as
 * backpressure (pause, retry without a cap, resume by itself) and only the second as a job failure.
 */

/**
 * SQLite primary result codes (https://sqlite.org/rescode.html): BUSY 5, LOCKED 6, NOMEM 7, READONLY 8,
 * IOERR 10, FULL 13, CANTOPEN 14. Extended codes carry the primary code in their low byte.
 */
const SQLITE_UNAVAILABLE = new Set([5, 6, 7, 8, 10, 13, 14]);

/** MongoDB driver/mongoose error classes that mean the server is not reachable or not writable. */
const MONGO_UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoWriteConcernError',
]);

/**
 * MongoDB server codes of the same kind: HostUnreachable 6, HostNotFound 7, NetworkTimeout 89,
 * ShutdownInProgress 91, PrimarySteppedDown 189, ExceededTimeLimit 262, SocketException 9001,
 * NotWritablePrimary 10107, InterruptedAtShutdown 11600, InterruptedDueToReplStateChange 11602,
 * NotPrimaryNoSecondaryOk 13435, NotPrimaryOrSecondary 13436, OutOfDiskSpace 14031.
 */
const MONGO_UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 14031]);
const MONGO_UNAVAILABLE_LABELS = ['RetryableWriteError', 'TransientTransactionError', 'ResetPool', 'SystemOverloadedError'];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errcode?: unknown;
  storeUnavailable?: unknown;
  hasErrorLabel?: (label: string) => boolean;
  cause?: unknown;
}

export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as ErrorLike;
  if (e.storeUnavailable === true) return true;
  // node:sqlite errors carry the SQLite result code as `errcode`
  if (typeof e.errcode === 'number') return SQLITE_UNAVAILABLE.has(e.errcode & 0xff);
  if (typeof e.name === 'string' && MONGO_UNAVAILABLE_NAMES.has(e.name)) return true;
  if (typeof e.hasErrorLabel === 'function' && MONGO_UNAVAILABLE_LABELS.some((l) => e.hasErrorLabel!(l))) return true;
  if (typeof e.code === 'number' && typeof e.name === 'string' && e.name.startsWith('Mongo') && MONGO_UNAVAILABLE_CODES.has(e.code)) return true;
  // mongoose queues operations while disconnected and gives up with this message
  if (e.name === 'MongooseError' && typeof e.message === 'string' && e.message.includes('buffering timed out')) return true;
  return isStoreUnavailable(e.cause, depth + 1);
}
