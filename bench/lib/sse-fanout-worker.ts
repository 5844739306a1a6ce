// A worker thread holding its share of the SSE clients, driven by messages from sse-fanout.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { connectClients } from './sse-clients.js';

type Setup = { url: string; headers: Record<string, string>; count: number };
export type WorkerCommand =
  | { cmd: 'waitForFrames'; frames: number; timeoutMs: number }
  | { cmd: 'arm' }
  | { cmd: 'deliveries'; timeoutMs: number }
  | { cmd: 'close' };
export type WorkerRequest = { id: number } & WorkerCommand;

const port = parentPort;
if (!port) throw new Error('sse-fanout-worker runs as a worker thread');
const setup = workerData as Setup;
const clients = await connectClients(setup.url, setup.headers, setup.count);
port.postMessage({ id: 0, result: { connected: clients.count(), failed: clients.failed() } });

port.on('message', (request: WorkerRequest) => {
  const answer = (result: unknown): void => port.postMessage({ id: request.id, result });
  const fail = (error: unknown): void => port.postMessage({ id: request.id, error: (error as Error).message });
  switch (request.cmd) {
    case 'waitForFrames':
      clients.waitForFrames(request.frames, request.timeoutMs).then(() => answer(null), fail);
      break;
    case 'arm':
      clients.arm();
      answer(null);
      break;
    case 'deliveries':
      clients.deliveries(request.timeoutMs).then(answer, fail);
      break;
    case 'close':
      clients.close();
      answer(null);
      port.close();
      break;
  }
});
