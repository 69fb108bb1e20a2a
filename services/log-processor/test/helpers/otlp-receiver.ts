import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OTLP/HTTP traces receiver for tests: a plain node:http server that collects what exporters POST
 * to /v1/traces, in either protocol. http/json is parsed as JSON; http/protobuf is decoded by the small
 * reader below (only the fields of opentelemetry/proto/trace/v1 the tests look at).
 */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 3 = SPAN_KIND_CLIENT */
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** content types of the requests received */
  contentTypes: string[];
  headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const headers: OtlpReceiver['headers'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      contentTypes.push(type);
      headers.push(req.headers);
      if (req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      try {
        spans.push(...(type.includes('json') ? fromJson(JSON.parse(body.toString('utf8'))) : fromProtobuf(body)));
      } catch {
        res.writeHead(400).end();
        return;
      }
      // an empty ExportTraceServiceResponse is a success in both encodings
      if (type.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, contentTypes, headers, close: () => new Promise((r) => server.close(() => r())) };
}

// --- http/json: ids are hex strings, times decimal strings of nanoseconds ---
interface JsonAny {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: JsonAny[] };
}
interface JsonKv {
  key: string;
  value: JsonAny;
}
const jsonValue = (v: JsonAny): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? v.arrayValue?.values?.map(jsonValue);
const jsonAttrs = (kvs: JsonKv[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, jsonValue(kv.value)]));

function fromJson(doc: {
  resourceSpans?: {
    resource?: { attributes?: JsonKv[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: JsonKv[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}): ReceivedSpan[] {
  return (doc.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId ?? '',
        name: s.name,
        kind: s.kind,
        startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n),
        endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n),
        attributes: jsonAttrs(s.attributes),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        resource: jsonAttrs(rs.resource?.attributes),
      })),
    ),
  );
}

// --- http/protobuf: a minimal wire-format reader ---
type Field = { no: number; wire: number; varint?: bigint; bytes?: Uint8Array; fixed?: Uint8Array };

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[p++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (p < buf.length) {
    const tag = Number(varint());
    const f: Field = { no: tag >>> 3, wire: tag & 7 };
    if (f.wire === 0) f.varint = varint();
    else if (f.wire === 2) {
      const len = Number(varint());
      f.bytes = buf.subarray(p, p + len);
      p += len;
    } else if (f.wire === 1) {
      f.fixed = buf.subarray(p, p + 8);
      p += 8;
    } else if (f.wire === 5) {
      f.fixed = buf.subarray(p, p + 4);
      p += 4;
    } else throw new Error(`unsupported wire type ${f.wire}`);
    out.push(f);
  }
  return out;
}
const all = (buf: Uint8Array, no: number) => fields(buf).filter((f) => f.no === no);
const one = (buf: Uint8Array, no: number) => fields(buf).find((f) => f.no === no);
const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : '');
const text = (b?: Uint8Array) => (b ? Buffer.from(b).toString('utf8') : '');
const fixed64 = (b?: Uint8Array) => (b ? Buffer.from(b).readBigUInt64LE(0) : 0n);

/** AnyValue: string 1, bool 2, int 3, double 4, array 5 (ArrayValue.values 1) */
function anyValue(buf: Uint8Array): unknown {
  const f = fields(buf)[0];
  if (!f) return undefined;
  switch (f.no) {
    case 1:
      return text(f.bytes);
    case 2:
      return f.varint === 1n;
    case 3:
      return Number(BigInt.asIntN(64, f.varint!));
    case 4:
      return Buffer.from(f.fixed!).readDoubleLE(0);
    case 5:
      return all(f.bytes!, 1).map((v) => anyValue(v.bytes!));
    default:
      return undefined;
  }
}
/** KeyValue: key 1, value 2 */
const pbAttrs = (kvs: Field[]) => Object.fromEntries(kvs.map((kv) => [text(one(kv.bytes!, 1)?.bytes), anyValue(one(kv.bytes!, 2)?.bytes ?? new Uint8Array())]));

/** TracesData.resource_spans 1 → ResourceSpans{resource 1, scope_spans 2} → ScopeSpans{spans 2} → Span */
function fromProtobuf(body: Uint8Array): ReceivedSpan[] {
  return all(body, 1).flatMap((rs) => {
    const resourceBuf = one(rs.bytes!, 1)?.bytes;
    const resource = resourceBuf ? pbAttrs(all(resourceBuf, 1)) : {};
    return all(rs.bytes!, 2).flatMap((ss) =>
      all(ss.bytes!, 2).map((s) => {
        const b = s.bytes!;
        const status = one(b, 15)?.bytes;
        return {
          traceId: hex(one(b, 1)?.bytes),
          spanId: hex(one(b, 2)?.bytes),
          parentSpanId: hex(one(b, 4)?.bytes),
          name: text(one(b, 5)?.bytes),
          kind: Number(one(b, 6)?.varint ?? 0n),
          startMs: Number(fixed64(one(b, 7)?.fixed) / 1_000_000n),
          endMs: Number(fixed64(one(b, 8)?.fixed) / 1_000_000n),
          attributes: pbAttrs(all(b, 9)),
          status: { code: Number((status && one(status, 3)?.varint) ?? 0n), message: text(status && one(status, 2)?.bytes) },
          resource,
        };
      }),
    );
  });
}
