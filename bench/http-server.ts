/**
 * The server side of bench/http.bench.ts, run in its own process so that its CPU time per
 * request can be measured: `node dist/bench/http-server.js <bare|helmet-erl|watchpost>`.
 * It sends `{port}` over IPC and answers the messages `cpu` (process.cpuUsage()) and `stop`.
 */
import { buildApp, MODES, type Mode } from './http-app';

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'bare') as Mode;
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}; one of ${MODES.join(', ')}`);
  const { app, close } = await buildApp(mode);
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
  process.on('message', (m: unknown) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (m === 'stop') {
      server.close();
      void close().then(() => process.exit(0));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
