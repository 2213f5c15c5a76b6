// The `tracerun` command (dist/cli.js).
import { runCli } from './cli';
import { processIo } from './processIo';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
