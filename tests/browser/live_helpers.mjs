// Pieces of the follow tests and benchmark (docs/live.md, "Following a
// profile as it grows"): a `lurk collect` on a free loopback port, a sender
// speaking its protocol from node (hello line, lurk JSON lines, acks read
// back), and the event lines it sends.
import { spawn } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';
import { lurkBin } from './harness.mjs';

export const T0 = 1_700_000_000_000_000_000n;

// Starts `lurk collect -o PROFILE --listen 127.0.0.1:0`; resolves with { port, process, stop }.
export function startCollector(profile, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(lurkBin, ['collect', '--listen', '127.0.0.1:0', '-o', profile, ...extra],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`lurk collect did not start:\n${stderr}`)), 30000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on \S+:(\d+),/.exec(stderr);
      if (m && timer) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]), process: child, stderr: () => stderr,
          // SIGINT: the last batch committed, the whole-profile passes run.
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGINT'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`lurk collect exited with ${code}:\n${stderr}`)));
  });
}

// One sender: `send(text)` writes lines; `committed(events)` resolves when an
// ack says at least `events` events of this stream are committed.
export async function connectSender(port, name) {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const acks = [];
  const waiters = [];
  readline.createInterface({ input: socket }).on('line', (line) => {
    const ack = JSON.parse(line);
    acks.push(ack);
    for (const w of [...waiters]) if ((ack.events ?? 0) >= w.events) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(ack);
    }
  });
  socket.write(JSON.stringify({ lurk: 'hello', version: 1, name }) + '\n');
  socket.write('{"lurk":"jsonl","version":1,"clock":"unix-ns","producer":"follow test"}\n');
  return {
    send: (text) => socket.write(text),
    committed: (events) => {
      const last = acks[acks.length - 1];
      if (last && last.events >= events) return Promise.resolve(last);
      return new Promise((resolve) => waiters.push({ events, resolve }));
    },
    close: () => socket.end(),
  };
}

// Lines of events numbered [from, to): a log line and a TCP segment each, on
// connection `conn` (its client port), 1 ms apart from T0; `failAt`: a
// thread that starts at the first and ends failed at the last.
export function eventLines(from, to, { conn = 40000, tag = 'e' } = {}) {
  let text = '';
  for (let i = from; i < to; i++) {
    const ts = (T0 + BigInt(i) * 1_000_000n).toString();
    text += `{"t":"log","ts":${ts},"text":"${tag} ${i % 50}"}\n`;
    text += `{"t":"tcp","ts":${ts},"laddr":"10.0.0.1","lport":${conn},"raddr":"10.0.0.2","rport":80,` +
            `"dir":"${i % 2 ? 'rx' : 'tx'}","seq":${i * 100},"ack":1,"len":100,"flags":["ACK"],"window":500}\n`;
  }
  return text;
}

export function failedThread(name, fromEvent, toEvent, message) {
  const at = (i) => (T0 + BigInt(i) * 1_000_000n).toString();
  return `{"t":"thread_start","ts":${at(fromEvent)},"thread":"${name}"}\n` +
         `{"t":"thread_end","ts":${at(toEvent)},"thread":"${name}","error":"${message}"}\n`;
}
