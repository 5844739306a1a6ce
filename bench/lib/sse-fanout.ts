// The SSE fan-out clients, spread over worker threads so that reading 2,000 sockets uses every
// core: the delivery latency should be the server's, not one client thread's backlog.
import { Worker } from 'node:worker_threads';
import type { WorkerCommand } from './sse-fanout-worker.js';

export type Fanout = {
  connected: number;
  failed: number;
  waitForFrames(frames: number, timeoutMs: number): Promise<void>;
  arm(): Promise<void>;
  deliveries(timeoutMs: number): Promise<{ latencies: number[]; missing: number; event: string | null }>;
  close(): Promise<void>;
};

type Reply = { id: number; result?: unknown; error?: string };

function startWorker(setup: { url: string; headers: Record<string, string>; count: number }) {
  // tsx's loader is registered per thread: the worker registers it, then loads its TypeScript module.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./sse-fanout-worker.ts', import.meta.url).href)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: setup });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<{ connected: number; failed: number }>((resolve, reject) => {
    pending.set(0, { resolve: resolve as (value: unknown) => void, reject });
  });
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
    else waiter?.resolve(reply.result);
  });
  worker.on('error', (error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  const call = <T>(request: WorkerCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId;
      nextId += 1;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  return { worker, ready, call };
}

export async function connectFanout(url: string, headers: Record<string, string>, count: number, threads = 2): Promise<Fanout> {
  const shares = Array.from({ length: threads }, (_, index) => Math.floor(count / threads) + (index < count % threads ? 1 : 0)).filter(
    (share) => share > 0,
  );
  const workers = shares.map((share) => startWorker({ url, headers, count: share }));
  const counts = await Promise.all(workers.map((worker) => worker.ready));
  const all = <T>(request: WorkerCommand): Promise<T[]> => Promise.all(workers.map((worker) => worker.call<T>(request)));
  return {
    connected: counts.reduce((sum, item) => sum + item.connected, 0),
    failed: counts.reduce((sum, item) => sum + item.failed, 0),
    async waitForFrames(frames, timeoutMs) {
      await all({ cmd: 'waitForFrames', frames, timeoutMs });
    },
    async arm() {
      await all({ cmd: 'arm' });
    },
    async deliveries(timeoutMs) {
      const parts = await all<{ latencies: number[]; missing: number; event: string | null }>({ cmd: 'deliveries', timeoutMs });
      return {
        latencies: parts.flatMap((part) => part.latencies),
        missing: parts.reduce((sum, part) => sum + part.missing, 0),
        event: parts.find((part) => part.event !== null)?.event ?? null,
      };
    },
    async close() {
      await all({ cmd: 'close' }).catch(() => undefined);
      await Promise.all(workers.map((worker) => worker.worker.terminate()));
    },
  };
}
