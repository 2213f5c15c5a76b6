// `npm run demo:files`: writes simulated agent runs into the demo workspace until stopped.
import { resolve } from 'node:path';
import { simulateRun } from './simulatedAgent';

const file = resolve(process.argv[2] ?? 'demo/workspace/.tracerun/demo-agent.jsonl');
const speed = Number(process.env.TRACERUN_DEMO_SPEED ?? '1');
const pauseMs = Number(process.env.TRACERUN_DEMO_PAUSE_MS ?? '2500');

let stopping = false;
process.on('SIGINT', () => (stopping = true));
process.on('SIGTERM', () => (stopping = true));

(async () => {
  console.log(`writing agent runs to ${file} (Ctrl+C to stop)`);
  for (let i = 0; !stopping; i++) {
    const traceId = await simulateRun({ file, speed, index: i });
    console.log(`run ${i + 1} done: trace ${traceId}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
})();
