import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort, tempDir } from './processes.ts';

export interface RunningFerretDb {
  /** `mongodb://127.0.0.1:PORT/` — append a database name */
  uri: string;
  port: number;
  /** everything FerretDB printed so far */
  output(): string;
  /** SIGSTOP / SIGCONT the server (a frozen store) */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** SIGKILL it and wait for the exit; its data stays for a start with the same `dataDir` and `port` */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface FerretDbOptions {
  timeoutMs?: number;
  /** default a free one; a fixed port lets a restarted server take the clients of a killed one back */
  port?: number;
  /** where the SQLite backend keeps its files; given, the caller owns it (kept on stop), else a temp dir */
  dataDir?: string;
}

const INSTALL_HINT =
  'install it with `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`, or set FERRETDB_BIN. ' +
  'A plain `go install` of v1.24.2 builds a binary that panics at start ("Invalid build/version/version.txt"); ' +
  'build it from a copy of the module with the version file written: ' +
  'cp -r $(go env GOMODCACHE)/github.com/\\!ferret\\!d\\!b/\\!ferret\\!d\\!b@v1.24.2 /tmp/ferretdb && chmod -R u+w /tmp/ferretdb && ' +
  'echo v1.24.2 > /tmp/ferretdb/build/version/version.txt && (cd /tmp/ferretdb && go build -o $(go env GOPATH)/bin/ferretdb ./cmd/ferretdb)';

/** FERRETDB_BIN, else `$(go env GOPATH)/bin/ferretdb`, else ~/go/bin/ferretdb. */
export function findFerretDb(): string {
  const candidates: string[] = [];
  if (process.env.FERRETDB_BIN) candidates.push(process.env.FERRETDB_BIN);
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    for (const p of gopath.split(':')) if (p) candidates.push(join(p, 'bin', 'ferretdb'));
  } catch {
    // no Go toolchain on PATH: fall through to the default GOPATH
  }
  candidates.push(join(homedir(), 'go', 'bin', 'ferretdb'));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`FerretDB binary not found (looked in ${candidates.join(', ')}): ${INSTALL_HINT}`);
  return found;
}

/** Minimal OP_MSG `ping` over a raw socket: proves the wire protocol answers, without a driver. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const body = bsonPing();
    const header = Buffer.alloc(21);
    header.writeInt32LE(21 + body.length, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(2013, 12); // OP_MSG
    header.writeUInt32LE(0, 16); // flags
    header.writeUInt8(0, 20); // section kind 0: body
    const sock = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write(Buffer.concat([header, body])));
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= got.readInt32LE(0)) done(got.includes(Buffer.from('ok')));
    });
  });
}

function bsonPing(): Buffer {
  // { ping: 1 (int32), $db: "admin" }
  const ping = Buffer.concat([Buffer.from([0x10]), Buffer.from('ping\0'), int32(1)]);
  const db = Buffer.concat([Buffer.from([0x02]), Buffer.from('$db\0'), int32(6), Buffer.from('admin\0')]);
  const len = 4 + ping.length + db.length + 1;
  return Buffer.concat([int32(len), ping, db, Buffer.from([0])]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

/**
 * Start FerretDB v1 on the SQLite backend (in a temp dir on a free port unless told) and resolve once it
 * answers a MongoDB ping. Telemetry and the debug HTTP listener are off so parallel runs do not collide.
 */
export async function startFerretDb(opts: FerretDbOptions = {}): Promise<RunningFerretDb> {
  const bin = findFerretDb();
  const dir = opts.dataDir ? { path: opts.dataDir, remove: () => {} } : tempDir('ferretdb');
  const port = opts.port ?? (await freePort());
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir.path}/`,
      `--state-dir=${dir.path}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=WARN',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // a frozen server would take SIGTERM only when thawed
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    dir.remove();
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) {
      dir.remove();
      const hint = out.includes('version.txt') ? `\n${INSTALL_HINT}` : '';
      throw new Error(`ferretdb (${bin}) exited with ${child.exitCode} before accepting connections:\n${out}${hint}`);
    }
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ferretdb did not answer a ping on 127.0.0.1:${port} in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  return { uri: `mongodb://127.0.0.1:${port}/`, port, output: () => out, signal: (sig) => void child.kill(sig), kill, stop };
}
