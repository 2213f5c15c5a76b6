import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { envFileNames, envFilePath, TerminalEnvironment, terminalVariables, withTraceVariables, type VariableCollection } from '../../src/extension/terminalEnvironment';

class FakeCollection implements VariableCollection {
  readonly variables = new Map<string, string>();
  description: unknown;
  changes = 0;
  replace(variable: string, value: string): void {
    this.variables.set(variable, value);
    this.changes++;
  }
  clear(): void {
    this.variables.clear();
    this.changes++;
  }
}

test('terminals get the OTLP/HTTP endpoint, protocol and a short batch delay', () => {
  assert.deepEqual(terminalVariables({ httpPort: 4318, grpcPort: 4317 }), {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  assert.equal(terminalVariables({ httpPort: undefined, grpcPort: 4417 })?.OTEL_EXPORTER_OTLP_PROTOCOL, 'grpc', 'gRPC only when OTLP/HTTP is off');
  assert.equal(terminalVariables({ httpPort: undefined, grpcPort: undefined }), undefined);
});

test('the variables follow the setting and the receiver’s port, and change only when they must', () => {
  const collection = new FakeCollection();
  collection.variables.set('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:1'); // left from an earlier session
  const env = new TerminalEnvironment(collection);
  env.update(false, { httpPort: 4318, grpcPort: undefined });
  assert.equal(collection.variables.size, 0, 'off clears what an earlier session left');

  env.update(true, { httpPort: 4318, grpcPort: undefined });
  assert.equal(collection.variables.get('OTEL_EXPORTER_OTLP_ENDPOINT'), 'http://127.0.0.1:4318');
  assert.match(String(collection.description), /4318/);

  const before = collection.changes;
  env.update(true, { httpPort: 4318, grpcPort: undefined });
  assert.equal(collection.changes, before, 'the same variables again change nothing (a change marks open terminals stale)');

  env.update(true, { httpPort: 4328, grpcPort: undefined });
  assert.equal(collection.variables.get('OTEL_EXPORTER_OTLP_ENDPOINT'), 'http://127.0.0.1:4328', 'a new port is followed');

  env.update(true, { httpPort: undefined, grpcPort: undefined });
  assert.equal(collection.variables.size, 0, 'no receiver, no variables');
  env.update(true, { httpPort: 4318, grpcPort: undefined });
  env.update(false, { httpPort: 4318, grpcPort: undefined });
  assert.equal(collection.variables.size, 0, 'turning the setting off clears them');
  assert.equal(collection.description, undefined);
});

test('a debug session gets the variables, but what its launch configuration sets wins', () => {
  const variables = terminalVariables({ httpPort: 4318, grpcPort: undefined })!;
  assert.deepEqual(withTraceVariables(undefined, variables), variables);
  const merged = withTraceVariables({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', DEBUG: '1' }, variables);
  assert.equal(merged?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://collector:4318', 'the user’s own collector is kept');
  assert.equal(merged?.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
  assert.equal(merged?.DEBUG, '1');
  assert.equal(withTraceVariables(['not', 'an', 'object'], variables), undefined, 'a malformed env is left to the debugger to report');
});

test('a debug session does not override what the launch configuration’s envFile sets', () => {
  const variables = terminalVariables({ httpPort: 4318, grpcPort: undefined })!;
  const text = ['# my collector', 'export OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318', 'OTEL_SERVICE_NAME = shop', '', 'not a variable', '  OTEL_BSP_SCHEDULE_DELAY=1000'].join('\n');
  const names = envFileNames(text);
  assert.deepEqual([...names].sort(), ['OTEL_BSP_SCHEDULE_DELAY', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']);
  const env = withTraceVariables({ DEBUG: '1' }, variables, names);
  assert.deepEqual(env, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', DEBUG: '1' }, 'only what the file leaves unset is added');
  const folder = path.resolve('/home/me/shop');
  assert.equal(envFilePath('${workspaceFolder}/.env', folder), path.join(folder, '.env'));
  assert.equal(envFilePath('config/dev.env', folder), path.join(folder, 'config/dev.env'));
  assert.equal(envFilePath(path.resolve('/etc/shop.env'), undefined), path.resolve('/etc/shop.env'));
  assert.equal(envFilePath('${workspaceFolder}/.env', undefined), undefined, 'no folder to expand it in');
  assert.equal(envFilePath('${env:HOME}/.env', folder), undefined, 'a variable not known here');
  assert.equal(envFilePath(undefined, folder), undefined);
});
