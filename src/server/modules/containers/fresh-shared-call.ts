// Concurrent callers share one call, without ever getting an answer older than their own request.
//
// A caller that arrives while a call is in flight does not join it (it started before the caller
// arrived, so it may miss a change the caller just made); it waits for the next call, which starts
// as soon as the current one ends and answers every caller that arrived meanwhile. So at most one
// call runs at a time however many clients poll, and every answer was fetched after its request.
// Used for the Docker container list: under ten concurrent pollers it cut the server's memory
// under load and the daemon's work per answer (npm run bench, bench/README.md).
export class FreshSharedCall<T> {
  private current: Promise<T> | null = null;
  private next: Promise<T> | null = null;

  constructor(private readonly call: () => Promise<T>) {}

  run(): Promise<T> {
    if (!this.current) return this.start();
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<T> {
    const running: Promise<T> = this.call().finally(() => {
      if (this.current === running) this.current = null;
    });
    this.current = running;
    return running;
  }
}
