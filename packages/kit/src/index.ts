// Everything: the browser-safe `./client` entry and the Node-only `./server` entry.
export * from './server.js';
