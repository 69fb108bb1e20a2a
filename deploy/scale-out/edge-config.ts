/**
 * Turns the compose stack's edge config (deploy/edge/haproxy.cfg) into one for processes on loopback:
 * the DNS `resolvers` section goes, each `server-template NAME RANGE host:port` becomes one `server` line
 * per local port, and the frontend binds to a loopback port. Everything else — routing, timeouts, health
 * checks, balancing — is the shipped file, so the scale-out proof exercises the real edge configuration.
 */
export interface LocalEdge {
  /** loopback port the edge listens on */
  port: number;
  /** compose service name (as in `server-template … gateway:8000`) -> local ports of its replicas */
  upstreams: Record<string, number[]>;
  /** haproxy's stats socket, so the run can read server states */
  statsSocket?: string;
  /** global maxconn; haproxy needs about twice as many file descriptors as `ulimit -n` may allow here */
  maxconn?: number;
}

export function localEdgeConfig(composeConfig: string, edge: LocalEdge): string {
  const out: string[] = [];
  let inResolvers = false;
  let bound = false;
  for (const line of composeConfig.split('\n')) {
    if (/^\S/.test(line)) inResolvers = /^resolvers\s/.test(line);
    if (inResolvers) continue;
    const template = /^(\s*)server-template\s+(\S+)\s+\S+\s+([\w.-]+):(\d+)(.*)$/.exec(line);
    if (template) {
      const [, indent, name, host, , rest] = template;
      const ports = edge.upstreams[host!];
      if (!ports) throw new Error(`no local ports given for upstream "${host}"`);
      ports.forEach((p, i) => out.push(`${indent}server ${name}${i + 1} 127.0.0.1:${p}${stripDns(rest!)}`));
      continue;
    }
    if (/^\s*default-server\s/.test(line)) {
      out.push(stripDns(line));
      continue;
    }
    const bind = /^(\s*)bind\s+\S+(.*)$/.exec(line);
    if (bind) {
      out.push(`${bind[1]}bind 127.0.0.1:${edge.port}${bind[2]}`);
      bound = true;
      continue;
    }
    if (edge.maxconn && /^\s+maxconn\s/.test(line)) {
      out.push(line.replace(/maxconn\s+\d+/, `maxconn ${edge.maxconn}`));
      continue;
    }
    out.push(line);
    if (edge.statsSocket && /^global\s*$/.test(line)) out.push(`    stats socket ${edge.statsSocket} mode 600 level admin`);
  }
  if (!bound) throw new Error('the edge config has no bind line');
  return out.join('\n');
}

function stripDns(s: string): string {
  return s.replace(/\s+resolvers\s+\S+/g, '').replace(/\s+init-addr\s+\S+/g, '');
}
