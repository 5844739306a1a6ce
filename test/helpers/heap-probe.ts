// Retained heap of a server process started with --inspect=127.0.0.1:0: a full garbage collection
// through the inspector protocol, then the heap in use. What survives a collection is what a leak
// would grow; RSS also counts memory V8 keeps for reuse and the allocator's fragmentation.
import { spawn } from 'node:child_process';

// Runs in a child Node with --experimental-websocket (Node 20 has WebSocket only behind that flag).
const PROBE = `
const socket = new WebSocket(process.argv[1]);
let next = 0;
const pending = new Map();
const send = (method, params = {}) => new Promise((resolve, reject) => {
  next += 1;
  pending.set(next, { resolve, reject });
  socket.send(JSON.stringify({ id: next, method, params }));
});
socket.onmessage = (message) => {
  const answer = JSON.parse(message.data);
  const waiter = pending.get(answer.id);
  if (!waiter) return;
  pending.delete(answer.id);
  if (answer.error) waiter.reject(new Error(JSON.stringify(answer.error)));
  else waiter.resolve(answer.result);
};
socket.onerror = () => { console.error('inspector connection failed'); process.exit(2); };
socket.onopen = async () => {
  // Twice: objects with finalizers or weak references are freed by the second pass.
  await send('HeapProfiler.collectGarbage');
  await send('HeapProfiler.collectGarbage');
  const result = await send('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
  console.log(String(result.result.value));
  socket.close();
  process.exit(0);
};
`;

/** The inspector's WebSocket URL from a server's output ("Debugger listening on ws://…"). */
export function inspectorUrlOf(output: string): string | null {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(output)?.[1] ?? null;
}

export function retainedHeapBytes(inspectorUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', PROBE, inspectorUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const bytes = Number(out.trim());
      if (code === 0 && Number.isFinite(bytes) && bytes > 0) resolve(bytes);
      else reject(new Error(`heap probe exited ${code}: ${out}${err}`));
    });
  });
}
