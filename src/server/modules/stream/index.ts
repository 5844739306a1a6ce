// The server-sent event stream of deploy progress and its clients (GET /stream/progress).
export { StreamHub } from './stream-hub.js';
