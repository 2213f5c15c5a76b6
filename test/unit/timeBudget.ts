// A guard for tests of inputs that used to make a parser backtrack for seconds: a synchronous
// call can't be stopped by the test runner's timeout (it only fires once the call returns),
// but vm's watchdog terminates whatever runs inside it, so a regression fails in `ms`
// instead of hanging the suite. A generous bound, not a speed figure (those are in the bench).
import * as vm from 'node:vm';

export function withinMs<T>(ms: number, fn: () => T): T {
  return vm.runInNewContext('fn()', { fn }, { timeout: ms }) as T;
}
