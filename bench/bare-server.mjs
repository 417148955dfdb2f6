// The cold-start baseline: the least a Node HTTP server can do, answering 200 on /readyz. Same PORT/HOST variables
// as dist/serve.js so bench/run.ts starts both the same way.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  if (req.url === '/readyz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ready"}');
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
