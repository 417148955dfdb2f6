import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcess, type Child } from './proc.js';

/** Where Debian's nginx package puts the binary, for a PATH without /usr/sbin. */
const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

/** The nginx binary (PATH first, then the usual places), or undefined when there is none on this machine. */
export function findNginx(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  for (const candidate of [found, ...CANDIDATES].filter(Boolean)) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** `nginx -v` prints to stderr: "nginx version: nginx/1.22.1". */
export function nginxVersion(binary: string): string {
  const r = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().replace(/^nginx version:\s*/, '') || 'unknown';
}

export interface NginxProxySettings {
  /** Directory for the config, logs, pid and temp files: nothing outside it is written. */
  dir: string;
  port: number;
  /** Function name -> its loopback origin (http://127.0.0.1:PORT). */
  upstreams: Readonly<Record<string, string>>;
  /** Path prefix -> function name: nginx's prefix locations, one per entry. */
  routes: ReadonlyArray<{ prefix: string; exact?: boolean; fn: string }>;
  workers: number;
  /** Idle keep-alive connections nginx keeps to each upstream (per worker). */
  keepalive: number;
}

/**
 * nginx as the gateway's equivalent: one upstream block per function with keep-alive connections, routed by path
 * prefix; X-Forwarded-For/Proto/Host set as the gateway sets them (the client's Host travels as X-Forwarded-Host,
 * the upstream gets its own); X-Request-Id passed on when the client's is well formed (the gateway's own rule) or
 * made here, and returned on the answer; streaming both ways (no request or response buffering), as the gateway
 * streams; one access log line per request to a file, as the gateway writes one to stdout. Runs in the foreground
 * (daemon off), so the bench stops it like any child.
 */
export function nginxConfig(s: NginxProxySettings): string {
  const f = (name: string) => path.join(s.dir, name);
  const upstreams = Object.entries(s.upstreams)
    .map(([fn, origin]) => `  upstream fn_${fn} {\n    server ${new URL(origin).host};\n    keepalive ${s.keepalive};\n  }`)
    .join('\n');
  const locations = s.routes.map((r) => `    location ${r.exact ? '= ' : ''}${r.prefix} {\n      proxy_pass http://fn_${r.fn};\n    }`).join('\n');
  return `daemon off;
worker_processes ${s.workers};
pid ${f('nginx.pid')};
error_log ${f('nginx-error.log')} warn;
events {
  worker_connections 1024;
}
http {
  client_body_temp_path ${f('client_body')};
  proxy_temp_path ${f('proxy')};
  fastcgi_temp_path ${f('fastcgi')};
  uwsgi_temp_path ${f('uwsgi')};
  scgi_temp_path ${f('scgi')};
  log_format lakeplane escape=json '{"time":"$time_iso8601","requestId":"$lakeplane_request_id","method":"$request_method","path":"$uri","status":$status,"durationMs":$request_time,"upstreamMs":"$upstream_response_time","clientAddress":"$remote_addr"}';
  access_log ${f('nginx-access.log')} lakeplane;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  server_tokens off;
  map $http_x_request_id $lakeplane_request_id {
    "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;
    default $request_id;
  }
${upstreams}
  server {
    listen 127.0.0.1:${s.port};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $proxy_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_set_header X-Request-Id $lakeplane_request_id;
    proxy_buffering off;
    proxy_request_buffering off;
    proxy_read_timeout 600s;
    # The function echoes the id it was sent; nginx answers with its own copy, also on its own 502/504.
    proxy_hide_header X-Request-Id;
    add_header X-Request-Id $lakeplane_request_id always;
${locations}
    location / {
      return 404;
    }
  }
}
`;
}

/** Writes the config into `s.dir` and starts nginx on it in the foreground; stop() ends it (SIGTERM, then SIGKILL). */
export function startNginx(binary: string, s: NginxProxySettings): Child {
  mkdirSync(s.dir, { recursive: true });
  const conf = path.join(s.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(s));
  const check = spawnSync(binary, ['-t', '-q', '-p', s.dir, '-c', conf, '-e', path.join(s.dir, 'nginx-error.log')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the generated config ${conf}:\n${check.stderr}`);
  // -e: the error log before the config is read (nginx ≥ 1.19.5), so nothing is written to /var/log.
  return startProcess(binary, ['-p', s.dir, '-c', conf, '-e', path.join(s.dir, 'nginx-error.log')], process.env, path.join(s.dir, 'nginx.stdout.log'));
}
