/**
 * Every file a relay process writes holds secrets or logs: the SQLite store (provider keys, every exchange)
 * and its WAL, the gateway's journal of raw events and its configuration snapshot, the generated JWT secret.
 * A umask of 077 makes each of them, whoever creates it and whichever library does, readable by the service's
 * own user only (files 0600, directories 0700). Children started by this process inherit it.
 */
export function restrictFileModes(): void {
  process.umask(0o077);
}
