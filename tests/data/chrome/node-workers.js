// Traced by make-node-workers-trace.sh: a main thread, a worker thread and a
// child process hand one job along, and say so through Node's own trace-event
// writer (internalBinding('trace_events').trace, which needs
// --expose-internals): an async request begun ("b") on the main thread and
// ended ("e") on the worker, and a v1 flow "job" started ("s") on the main
// thread, stepped ("t") on the worker and ended ("f", no bp) in the child.
const { Worker, isMainThread, parentPort } = require('worker_threads');
const { fork } = require('child_process');
const crypto = require('crypto');
const { internalBinding } = require('internal/test/binding');
const trace = internalBinding('trace_events').trace;
const REQUEST_ID = 7, JOB_ID = 42;
const mark = (phase, name, id, args) => trace(phase.charCodeAt(0), 'lurk', name, id, args);

if (process.argv[2] === 'child') {
  process.on('message', (n) => {
    mark('f', 'job', JOB_ID, { step: 'child' });
    crypto.pbkdf2(String(n), 'salt', 1000, 32, 'sha256', () => {
      process.send(n * 2);
      process.exit(0);
    });
  });
} else if (!isMainThread) {
  parentPort.on('message', (n) => {
    mark('e', 'request', REQUEST_ID, { on: 'worker' });
    mark('t', 'job', JOB_ID, { step: 'worker' });
    crypto.pbkdf2(String(n), 'salt', 1000, 32, 'sha256', () => parentPort.postMessage(n + 1));
  });
} else {
  const worker = new Worker(__filename);
  worker.once('message', (n) => {
    worker.terminate();
    const child = fork(__filename, ['child'], { execArgv: process.execArgv });
    child.once('message', (m) => console.log('done', n, m));
    child.send(n);
  });
  mark('b', 'request', REQUEST_ID, { on: 'main' });
  mark('s', 'job', JOB_ID, { step: 'main' });
  worker.postMessage(1);
}
