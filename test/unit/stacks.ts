// Stack traces as each runtime prints them, for the frame and source-chain tests.

export const NODE_STACK = [
  'Error: OrdersAPIError: 503 Service Unavailable',
  '    at lookupOrder (/home/ci/build/src/agent/tools.ts:41:11)',
  '    at async Agent.runTool (file:///home/ci/build/src/agent/agent.ts:88:20)',
  '    at async /home/ci/build/node_modules/ai/dist/index.mjs:3210:22',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

export const PYTHON_TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/agent/main.py", line 52, in run_support_agent',
  '    answer = lookup_order(order_id)',
  '             ^^^^^^^^^^^^^^^^^^^^^^',
  '  File "/app/agent/tools.py", line 29, in lookup_order',
  '    return orders_api.get(order_id)',
  '  File "/usr/local/lib/python3.12/site-packages/httpx/_client.py", line 1054, in get',
  '    return self.request("GET", url)',
  "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url 'http://orders/42'",
].join('\n');

export const JAVA_STACK = [
  'java.lang.IllegalStateException: order 42 not found',
  '\tat com.acme.agent.OrderTools.lookupOrder(OrderTools.java:37)',
  '\tat com.acme.agent.SupportAgent.run(SupportAgent.java:58)',
  '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
].join('\n');

export const GO_PANIC = [
  'panic: order 42 not found',
  '',
  'goroutine 1 [running]:',
  'github.com/acme/agent/tools.LookupOrder({0x4b2f60, 0x2})',
  '\t/home/ci/go/src/github.com/acme/agent/tools/orders.go:31 +0x1d',
  'main.main()',
  '\t/home/ci/go/src/github.com/acme/agent/main.go:12 +0x25',
  'exit status 2',
].join('\n');

export const DOTNET_STACK = [
  'System.InvalidOperationException: Order 42 not found',
  '   at Acme.Agent.OrderTools.LookupOrder(String orderId) in C:\\build\\src\\Acme.Agent\\OrderTools.cs:line 37',
  '   at Acme.Agent.SupportAgent.RunAsync(String question) in C:\\build\\src\\Acme.Agent\\SupportAgent.cs:line 58',
  '   at System.Threading.Tasks.Task.InnerInvoke()',
].join('\n');
