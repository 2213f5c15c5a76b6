// `npm run demo`: the support agent answers questions in a loop, exporting every run to
// Trace Run's OTLP receiver (http://127.0.0.1:4318 unless OTEL_EXPORTER_OTLP_ENDPOINT says).
import * as http from 'node:http';
import { QUESTIONS } from './questions';
import { answerQuestion } from './supportAgent';
import { endpoint, provider } from './telemetry';

const speed = Number(process.env.TRACERUN_DEMO_SPEED ?? '1');
const pauseMs = Number(process.env.TRACERUN_DEMO_PAUSE_MS ?? '2000');
const maxRuns = Number(process.env.TRACERUN_DEMO_RUNS ?? 'Infinity');
let stopping = false;

function receiverUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(`${endpoint}/v1/traces`, { method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => (req.destroy(), resolve(false)));
    req.end();
  });
}

async function main(): Promise<void> {
  process.on('SIGINT', () => (stopping = true));
  process.on('SIGTERM', () => (stopping = true));
  if (!(await receiverUp())) {
    console.log(`waiting for an OTLP receiver at ${endpoint} (open VS Code with Trace Run, or run \`tracerun receive\`)…`);
    while (!stopping && !(await receiverUp())) await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`support agent sending traces to ${endpoint}/v1/traces (Ctrl+C to stop)`);
  for (let i = 0; i < maxRuns && !stopping; i++) {
    const question = QUESTIONS[i % QUESTIONS.length];
    try {
      const answer = await answerQuestion(question, { speed });
      console.log(`run ${i + 1}: ${question}\n  → ${answer}`);
    } catch (err) {
      console.log(`run ${i + 1}: ${question}\n  ✗ ${err instanceof Error ? err.message : String(err)}`);
    }
    await provider.forceFlush();
    if (i + 1 < maxRuns) await new Promise((r) => setTimeout(r, pauseMs));
  }
  await provider.shutdown();
}

void main();
