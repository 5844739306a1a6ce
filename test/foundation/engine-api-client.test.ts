// EngineApiClient against a fake Engine API on a unix socket: the HTTP it sends, how it reads
// Docker's answers and errors, and that it reuses one connection where HTTP/1.1 allows.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net, { type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ContainerNotFoundError,
  DockerConflictError,
  DockerRequestError,
  DockerUnavailableError,
  ImagePullError,
  NetworkCreateError,
  type PullMessage,
} from '../../src/server/infra/docker/engine.js';
import { EngineApiClient } from '../../src/server/infra/docker/engine-api-client.js';

type SeenRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string; connection: number };
type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let dir: string;
let socketPath: string;
let server: http.Server;
let handler: Handler;
let seen: SeenRequest[] = [];
let connectionCount = 0;
const connectionIds = new WeakMap<Socket, number>();

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Docker's error body: one JSON object with `message`. */
const sendDockerError = (res: http.ServerResponse, status: number, message: string): void => sendJson(res, status, { message });

function sendStatus(res: http.ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

const client = (options: { timeoutMs?: number } = {}): EngineApiClient => new EngineApiClient(`unix://${socketPath}`, options);

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hlr-engine-api-'));
  socketPath = path.join(dir, 'docker.sock');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: connectionIds.get(req.socket) ?? 0,
      });
      handler(req, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    connectionIds.set(socket, connectionCount);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) => sendDockerError(res, 500, 'no handler in this test');
});

const containerRow = {
  Id: 'c0ffee',
  Names: ['/web'],
  Image: 'hlr-test/busybox:1',
  ImageID: 'sha256:abc',
  Command: 'httpd -f',
  Created: 1_700_000_000,
  State: 'running',
  Status: 'Up 3 minutes',
  Labels: { 'homelabarr.managed': 'true' },
  Ports: [
    { PrivatePort: 80, PublicPort: 8080, Type: 'tcp', IP: '0.0.0.0' },
    { PrivatePort: 443, Type: 'tcp' },
  ],
};

describe('listing containers', () => {
  it('asks for all containers with the label filters as JSON in the query and maps the rows', async () => {
    handler = (_req, res) => sendJson(res, 200, [containerRow]);

    const containers = await client().listContainers({ labels: ['homelabarr.managed=true', 'note=a b&c'] });

    expect(containers).toEqual([
      {
        id: 'c0ffee',
        names: ['/web'],
        image: 'hlr-test/busybox:1',
        imageId: 'sha256:abc',
        command: 'httpd -f',
        created: 1_700_000_000,
        state: 'running',
        status: 'Up 3 minutes',
        labels: { 'homelabarr.managed': 'true' },
        ports: [
          { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
          { privatePort: 443, publicPort: null, type: 'tcp', ip: null },
        ],
      },
    ]);
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]!.url, 'http://docker');
    expect(seen[0]!.method).toBe('GET');
    expect(url.pathname).toBe('/containers/json');
    expect([...url.searchParams.keys()]).toEqual(['all', 'filters']);
    expect(url.searchParams.get('all')).toBe('1');
    expect(JSON.parse(url.searchParams.get('filters')!)).toEqual({ label: ['homelabarr.managed=true', 'note=a b&c'] });
    // The JSON is percent-encoded, so its & and = cannot split the query.
    expect(seen[0]!.url).not.toContain('{');
  });

  it('sends no filters without labels and all=0 when only running containers are wanted', async () => {
    handler = (_req, res) => sendJson(res, 200, []);

    await client().listContainers();
    await client().listContainers({ all: false, labels: [] });

    expect(seen.map((request) => request.url)).toEqual(['/containers/json?all=1', '/containers/json?all=0']);
  });

  it('sends consecutive calls over one kept-alive connection', async () => {
    handler = (_req, res) => sendJson(res, 200, [containerRow]);
    const engine = client();

    await engine.listContainers();
    await engine.listContainers();

    expect(seen).toHaveLength(2);
    expect(seen[0]!.headers.connection).toBe('keep-alive');
    expect(seen[1]!.connection).toBe(seen[0]!.connection);
  });

  it('returns the socket to the pool after answers whose body it does not use', async () => {
    let starts = 0;
    handler = (req, res) => {
      if (req.url === '/containers/web/start') {
        starts += 1;
        if (starts === 1) return sendStatus(res, 204);
        if (starts === 2) return sendStatus(res, 304);
        return sendDockerError(res, 404, 'No such container: web');
      }
      // An image inspect body the client only checks for presence.
      if (req.url?.startsWith('/images/'))
        return sendJson(res, 200, { Id: 'sha256:abc', RootFS: { Layers: Array.from({ length: 4000 }, (_, index) => `sha256:${index}`) } });
      return sendJson(res, 200, []);
    };
    const engine = client();

    expect(await engine.startContainer('web')).toEqual({ changed: true });
    expect(await engine.startContainer('web')).toEqual({ changed: false });
    await expect(engine.startContainer('web')).rejects.toBeInstanceOf(ContainerNotFoundError);
    expect(await engine.hasImage('hlr-test/busybox:1')).toBe(true);
    await engine.listContainers();

    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((request) => request.connection)).size).toBe(1);
  });
});

describe('one container', () => {
  const inspectBody = {
    Id: 'c0ffee',
    Name: '/web',
    Image: 'sha256:abc',
    Created: '2024-05-01T10:00:00Z',
    Config: { Image: 'hlr-test/busybox:1', Tty: false, Labels: { a: 'b' } },
    State: { Status: 'running', Running: true, StartedAt: '2024-05-01T10:00:01Z', FinishedAt: '0001-01-01T00:00:00Z', ExitCode: 0 },
    RestartCount: 2,
    NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } } },
  };

  it('inspects by URL-encoded id and maps the details', async () => {
    handler = (_req, res) => sendJson(res, 200, inspectBody);

    const details = await client().inspectContainer('web app/1');

    expect(seen[0]!.url).toBe('/containers/web%20app%2F1/json');
    expect(details).toEqual({
      id: 'c0ffee',
      name: 'web',
      image: 'hlr-test/busybox:1',
      imageId: 'sha256:abc',
      created: '2024-05-01T10:00:00Z',
      isTty: false,
      labels: { a: 'b' },
      state: { status: 'running', isRunning: true, startedAt: '2024-05-01T10:00:01Z', finishedAt: null, exitCode: 0, health: null },
      restartCount: 2,
      networks: { bridge: { ipAddress: '172.17.0.2' } },
    });
  });

  it('answers null for a container Docker does not know', async () => {
    handler = (_req, res) => sendDockerError(res, 404, 'No such container: ghost');

    expect(await client().inspectContainer('ghost')).toBeNull();
  });

  it.each([
    {
      status: 404,
      message: 'No such container: web',
      type: ContainerNotFoundError,
      facts: { containerId: 'web', message: 'No container has the id or name web' },
    },
    {
      status: 409,
      message: 'container is marked for removal',
      type: DockerConflictError,
      facts: { containerId: 'web', reason: 'container is marked for removal' },
    },
    {
      status: 500,
      message: 'driver failed programming external connectivity',
      type: DockerRequestError,
      facts: { containerId: 'web', status: 500, reason: 'driver failed programming external connectivity' },
    },
  ])('turns Docker $status on a start into $type.name with Docker’s message', async ({ status, message, type, facts }) => {
    handler = (_req, res) => sendDockerError(res, status, message);

    const error = await caught(client().startContainer('web'));

    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject(facts);
  });

  it('uses the text of an error body that is not JSON', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad Gateway\n');
    };

    const error = await caught(client().restartContainer('web'));

    expect(error).toBeInstanceOf(DockerRequestError);
    expect(error).toMatchObject({ status: 502, reason: 'Bad Gateway' });
  });

  it('stops with the grace period in t and reports an already stopped container as unchanged', async () => {
    const statuses = [204, 304];
    handler = (_req, res) => sendStatus(res, statuses.shift() ?? 500);
    const engine = client();

    expect(await engine.stopContainer('web', { timeoutSeconds: 5 })).toEqual({ changed: true });
    expect(await engine.stopContainer('web')).toEqual({ changed: false });

    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /containers/web/stop?t=5',
      'POST /containers/web/stop?t=10',
    ]);
  });

  it('removes with force and volumes in the query and turns 409 into DockerConflictError', async () => {
    handler = (_req, res) => sendDockerError(res, 409, 'You cannot remove a running container c0ffee');

    const error = await caught(client().removeContainer('web', { force: false, removeVolumes: true }));

    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/containers/web?force=0&v=1' });
    expect(error).toBeInstanceOf(DockerConflictError);
    expect(error).toMatchObject({ containerId: 'web', reason: 'You cannot remove a running container c0ffee' });
  });

  it('lets a patient call (stop) outlast the ordinary timeout that cuts a silent list off', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/containers/web/stop')) setTimeout(() => sendStatus(res, 204), 700);
      // The list never answers.
    };
    const engine = client({ timeoutMs: 250 });

    const [listError, stopped] = await Promise.all([caught(engine.listContainers()), engine.stopContainer('web', { timeoutSeconds: 1 })]);

    expect(stopped).toEqual({ changed: true });
    expect(listError).toBeInstanceOf(DockerUnavailableError);
    expect(listError).toMatchObject({ reason: 'The Docker daemon did not answer (ETIMEDOUT)' });
  });
});

describe('a tcp:// daemon that never answers the connection', () => {
  it('fails after the connect timeout with a message naming that timeout', async () => {
    // A loopback listener that never accepts, its one-slot queue filled: further connections hang in SYN_SENT,
    // as they do to a host that is down. Nothing leaves this machine.
    const listener = spawn('python3', [
      '-c',
      'import socket, time\ns = socket.socket()\ns.bind(("127.0.0.1", 0))\ns.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(120)',
    ]);
    const fillers: Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) =>
        listener.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      for (let index = 0; index < 3; index += 1) fillers.push(net.connect(port, '127.0.0.1').on('error', () => undefined));
      const engine = new EngineApiClient(`tcp://127.0.0.1:${port}`, { connectTimeoutMs: 400, timeoutMs: 30_000 });
      const error = await caught(engine.listContainers());
      expect(error).toBeInstanceOf(DockerUnavailableError);
      expect((error as DockerUnavailableError).reason).toMatch(
        /^Could not connect to the Docker daemon at tcp:\/\/127\.0\.0\.1:\d+ within 0\.4 s$/,
      );
    } finally {
      for (const filler of fillers) filler.destroy();
      listener.kill();
    }
  });
});

describe('logs', () => {
  const ttyInspect = (isTty: boolean) => ({
    Id: 'c0ffee',
    Name: '/web',
    Image: 'sha256:abc',
    Created: '2024-05-01T10:00:00Z',
    Config: { Image: 'x', Tty: isTty, Labels: {} },
    State: { Status: 'running', Running: true, ExitCode: 0 },
    RestartCount: 0,
  });

  it('keeps the logs body raw: a TTY line that is JSON stays text', async () => {
    handler = (req, res) => {
      if (req.url === '/containers/web/json') return sendJson(res, 200, ttyInspect(true));
      // Exactly a JSON document, as a TTY app logging JSON would answer.
      const body = '{"level":"info","msg":"ready"}';
      res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };

    const logs = await client().containerLogs('web', { tail: 50, sinceSeconds: 1_700_000_000 });

    expect(logs).toEqual({ isTty: true, lines: [{ stream: 'stdout', timestamp: null, message: '{"level":"info","msg":"ready"}' }] });
    const url = new URL(seen[1]!.url, 'http://docker');
    expect(url.pathname).toBe('/containers/c0ffee/logs');
    expect(Object.fromEntries(url.searchParams)).toEqual({ stdout: '1', stderr: '1', timestamps: '1', tail: '50', since: '1700000000' });
  });

  it('stops reading a logs body at 16 MiB and closes that connection', async () => {
    const line = `2024-05-01T10:00:00.000000000Z ${'x'.repeat(991)}\n`;
    const chunk = Buffer.from(line.repeat(64));
    let closed!: Promise<void>;
    handler = (req, res) => {
      if (req.url === '/containers/web/json') return sendJson(res, 200, ttyInspect(true));
      closed = new Promise((resolve) => res.on('close', resolve));
      res.writeHead(200);
      // An endless body: only the client's cap ends it.
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };

    const logs = await client().containerLogs('web', { tail: 1_000_000 });
    await closed;

    const cap = 16 * 1024 * 1024;
    expect(logs.lines.length * line.length).toBeGreaterThanOrEqual(cap - line.length);
    expect(logs.lines.length * line.length).toBeLessThan(cap + 1024 * 1024);
    expect(logs.lines[0]).toEqual({ stream: 'stdout', timestamp: '2024-05-01T10:00:00.000000000Z', message: 'x'.repeat(991) });
  });

  it('throws ContainerNotFoundError for logs of an unknown container', async () => {
    handler = (_req, res) => sendDockerError(res, 404, 'No such container: ghost');

    const error = await caught(client().containerLogs('ghost', { tail: 10 }));

    expect(error).toBeInstanceOf(ContainerNotFoundError);
    expect(error).toMatchObject({ containerId: 'ghost', message: 'No container has the id or name ghost' });
  });
});

describe('stats stream', () => {
  const sample = (cpu: number) => ({
    read: '2024-05-01T10:00:00Z',
    cpu_stats: { cpu_usage: { total_usage: cpu }, system_cpu_usage: 1_000_000, online_cpus: 2 },
    memory_stats: { usage: 1000, limit: 4000, stats: { inactive_file: 100 } },
    pids_stats: { current: 3 },
  });

  it('yields samples (lines split across chunks) until the signal aborts, then ends and closes the connection', async () => {
    let closed!: Promise<void>;
    handler = (_req, res) => {
      closed = new Promise((resolve) => res.on('close', resolve));
      res.writeHead(200, { 'content-type': 'application/json' });
      const first = `${JSON.stringify(sample(10))}\n`;
      res.write(first.slice(0, 20));
      res.write(first.slice(20));
      let cpu = 10;
      const timer = setInterval(() => res.write(`${JSON.stringify(sample((cpu += 10)))}\n`), 20);
      res.on('close', () => clearInterval(timer));
    };
    const controller = new AbortController();
    const cpuTotals: number[] = [];

    for await (const stats of client().streamContainerStats('web', controller.signal)) {
      cpuTotals.push(stats.cpuTotalNs);
      expect(stats).toMatchObject({ isRunning: true, systemCpuNs: 1_000_000, onlineCpus: 2, memoryUsage: 900, memoryLimit: 4000, pids: 3 });
      if (cpuTotals.length === 3) controller.abort();
    }
    await closed;

    expect(cpuTotals).toEqual([10, 20, 30]);
    expect(seen[0]!.url).toBe('/containers/web/stats?stream=1');
  });

  it('throws ContainerNotFoundError for an unknown container', async () => {
    handler = (_req, res) => sendDockerError(res, 404, 'No such container: ghost');
    const iterate = async (): Promise<void> => {
      for await (const stats of client().streamContainerStats('ghost', new AbortController().signal))
        throw new Error(`no sample expected, got ${stats.readAt}`);
    };

    const error = await caught(iterate());

    expect(error).toBeInstanceOf(ContainerNotFoundError);
  });
});

describe('pulling images', () => {
  const progress = [
    { status: 'Pulling from org/app', id: '1.2' },
    { status: 'Downloading', id: 'layer1', progressDetail: { current: 10, total: 100 } },
  ];

  it.each([
    { reference: 'ghcr.io/org/app:1.2', fromImage: 'ghcr.io/org/app', tag: '1.2' },
    { reference: 'registry.local:5000/app', fromImage: 'registry.local:5000/app', tag: 'latest' },
    { reference: 'busybox', fromImage: 'busybox', tag: 'latest' },
    { reference: 'app@sha256:0123', fromImage: 'app', tag: 'sha256:0123' },
  ])('pulls $reference as fromImage $fromImage and tag $tag, reporting each progress message', async ({ reference, fromImage, tag }) => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(progress.map((message) => `${JSON.stringify(message)}\r\n`).join(''));
    };
    const messages: PullMessage[] = [];

    await client().pullImage(reference, { onProgress: (message) => messages.push(message) });

    expect(messages).toEqual(progress);
    const url = new URL(seen[0]!.url, 'http://docker');
    expect(seen[0]!.method).toBe('POST');
    expect(url.pathname).toBe('/images/create');
    expect(Object.fromEntries(url.searchParams)).toEqual({ fromImage, tag });
  });

  it('fails with the error Docker sends inside the progress stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify(progress[0])}\n`);
      res.end(
        `${JSON.stringify({ errorDetail: { message: 'manifest for org/app:1.2 not found: manifest unknown' }, error: 'manifest unknown' })}\n`,
      );
    };
    const messages: PullMessage[] = [];

    const error = await caught(client().pullImage('org/app:1.2', { onProgress: (message) => messages.push(message) }));

    expect(error).toBeInstanceOf(ImagePullError);
    expect(error).toMatchObject({ reference: 'org/app:1.2', reason: 'manifest for org/app:1.2 not found: manifest unknown' });
    expect(messages).toEqual([progress[0]]);
  });

  it('fails with Docker’s message when the pull is refused with a status', async () => {
    handler = (_req, res) =>
      sendDockerError(res, 404, 'pull access denied for org/private, repository does not exist or may require docker login');

    const error = await caught(client().pullImage('org/private:1', { onProgress: () => {} }));

    expect(error).toBeInstanceOf(ImagePullError);
    expect((error as Error).message).toBe(
      'org/private:1 could not be pulled: pull access denied for org/private, repository does not exist or may require docker login',
    );
  });

  it('stops a pull when its signal aborts and closes the connection', async () => {
    let closed!: Promise<void>;
    handler = (_req, res) => {
      closed = new Promise((resolve) => res.on('close', resolve));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify(progress[0])}\n`);
      // Then nothing more, like a registry that stalls.
    };
    const controller = new AbortController();

    const error = await caught(client().pullImage('org/app:1.2', { signal: controller.signal, onProgress: () => controller.abort() }));
    await closed;

    expect((error as Error).name).toBe('AbortError');
  });
});

describe('networks', () => {
  const network = { Id: 'net1', Name: 'homelabarr', Driver: 'bridge', Labels: { 'homelabarr.managed': 'true' } };

  it('creates a network with a JSON body, takes Docker’s 409 as done and reads the network back', async () => {
    handler = (req, res) => {
      if (req.url === '/networks/create') return sendDockerError(res, 409, 'network with name homelabarr already exists');
      return sendJson(res, 200, network);
    };

    const created = await client().createNetwork('homelabarr', { labels: { 'homelabarr.managed': 'true' } });

    expect(created).toEqual({ id: 'net1', name: 'homelabarr', driver: 'bridge', labels: { 'homelabarr.managed': 'true' } });
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /networks/create', 'GET /networks/homelabarr']);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({
      Name: 'homelabarr',
      Driver: 'bridge',
      Labels: { 'homelabarr.managed': 'true' },
      CheckDuplicate: true,
    });
  });

  it('turns any other refusal into NetworkCreateError with Docker’s message', async () => {
    handler = (_req, res) => sendDockerError(res, 500, 'could not find an available, non-overlapping IPv4 address pool');

    const error = await caught(client().createNetwork('homelabarr', { labels: {} }));

    expect(error).toBeInstanceOf(NetworkCreateError);
    expect(error).toMatchObject({ network: 'homelabarr', reason: 'could not find an available, non-overlapping IPv4 address pool' });
  });

  it('answers null for a network Docker does not know', async () => {
    handler = (_req, res) => sendDockerError(res, 404, 'network ghost not found');

    expect(await client().inspectNetwork('ghost')).toBeNull();
  });
});

describe('daemon not there', () => {
  const absent = (): EngineApiClient => new EngineApiClient(`unix://${dir}/absent.sock`);

  it('turns a missing socket into DockerUnavailableError', async () => {
    const error = await caught(absent().listContainers());

    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect(error).toMatchObject({ reason: 'The Docker daemon did not answer (ENOENT)', cause: { code: 'ENOENT' } });
  });

  it('fails a ping with the address it tried', async () => {
    const error = await caught(absent().ping());

    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as DockerUnavailableError).reason).toMatch(/^The Docker daemon at unix:\/\/\S+\/absent\.sock did not answer$/);
  });

  it('pings a daemon that answers', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(req.url === '/_ping' ? 'OK' : 'wrong path');
    };

    await client().ping();

    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /_ping']);
  });
});
