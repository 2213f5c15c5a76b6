// Browser side of the waterfall bench (bench/waterfall.ts serves it; plain JS, not bundled).
// Loaded before the webview bundle: stubs `acquireVsCodeApi`, fetches a trace's rows (as the
// host's TraceBegin + TraceRows messages, typed arrays and all), then replays them with
// window.postMessage, as VS Code delivers messages to a webview, and times what the page does.
// In baseline mode the webview bundle is not loaded: the same messages feed a plain,
// non-virtualized DOM rendering (one div per row, appended at once) in the same page and CSS.
(() => {
  'use strict';
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') ?? 'webview';
  const posted = [];
  let state;
  let readyResolve;
  const ready = new Promise((resolve) => (readyResolve = resolve));

  window.acquireVsCodeApi = () => ({
    postMessage(message) {
      posted.push(message);
      if (message && message.method === 'waterfall/ready') readyResolve();
    },
    getState: () => state,
    setState(s) {
      state = s;
    },
  });
  if (mode !== 'webview') readyResolve();

  /** The typed arrays the columns come as (the manifest names each column's). */
  const ARRAY_TYPES = { Uint8Array, Uint16Array, Uint32Array, Int32Array, Float64Array };
  const ROW_KINDS = ['other', 'agent', 'chain', 'llm', 'tool', 'retriever', 'embedding', 'reranker', 'guardrail', 'evaluator', 'http', 'db'];
  const GROUP = 16;

  /** TraceBegin, then TraceRows messages, each slice with its own buffers (as the host's `slice()` makes them), then TraceHeader. */
  let messages;
  let manifest;

  async function load(key) {
    const [m, bin] = await Promise.all([
      fetch(`/data/${key}/manifest.json`).then((r) => r.json()),
      fetch(`/data/${key}/rows.bin`).then((r) => r.arrayBuffer()),
    ]);
    manifest = m;
    const latin1 = new TextDecoder('latin1');
    messages = [{ kind: 'notification', method: 'waterfall/traceBegin', params: m.start }];
    for (const s of m.slices) {
      const rows = { offset: s.offset, spanIds: latin1.decode(new Uint8Array(bin, s.spanIds[0], s.spanIds[1])) };
      for (const [name, [off, bytes, type]] of Object.entries(s.columns)) rows[name] = new ARRAY_TYPES[type](bin.slice(off, off + bytes));
      messages.push({ kind: 'notification', method: 'waterfall/traceRows', params: { generation: m.start.generation, rows } });
    }
    // The whole header (cost, missing context) follows the rows, as the panel sends it.
    messages.push({ kind: 'notification', method: 'waterfall/traceHeader', params: { generation: m.start.generation, header: m.header } });
    await ready;
    return { rowCount: m.start.rowCount, slices: m.slices.length };
  }

  const nextTask = () => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
  /** Resolves after the next frame has been rendered: rAF, then the first task after that frame. */
  const afterNextPaint = () => new Promise((resolve) => requestAnimationFrame(() => nextTask().then(resolve)));

  function gc() {
    if (typeof window.gc === 'function') window.gc();
  }

  /** Posts TraceBegin and every TraceRows message; resolves when all are handled and painted. */
  async function firstPaint() {
    gc();
    await afterNextPaint();
    const sliceCount = messages.filter((m) => m.method === 'waterfall/traceRows').length;
    let firstRowsAt;
    let firstRowsPainted;
    const firstRowsDone = new Promise((resolve) => {
      const app = document.getElementById('app');
      const check = () => {
        if (firstRowsAt !== undefined || !app.querySelector('.rows-viewport .row')) return;
        firstRowsAt = performance.now();
        observer.disconnect();
        afterNextPaint().then(() => {
          firstRowsPainted = performance.now();
          resolve();
        });
      };
      const observer = new MutationObserver(check);
      observer.observe(app, { childList: true, subtree: true });
    });
    let handled = 0;
    let lastHandledAt;
    const allDone = new Promise((resolve) => {
      // Registered after the webview's own listener, so it runs once the webview handled the message.
      const onMessage = (e) => {
        if (!e.data || e.data.method !== 'waterfall/traceRows') return;
        if (++handled < sliceCount) return;
        lastHandledAt = performance.now();
        window.removeEventListener('message', onMessage);
        afterNextPaint().then(() => resolve(performance.now()));
      };
      window.addEventListener('message', onMessage);
    });
    const t0 = performance.now();
    for (const m of messages) window.postMessage(m, '*');
    const postedAt = performance.now();
    const paintedAt = await allDone;
    await Promise.race([firstRowsDone, nextTask()]);
    const viewport = document.querySelector('.rows-viewport');
    return {
      postMs: postedAt - t0,
      firstRowsMs: firstRowsAt === undefined ? null : firstRowsAt - t0,
      firstRowsPaintedMs: firstRowsPainted === undefined ? null : firstRowsPainted - t0,
      handledMs: lastHandledAt - t0,
      paintedMs: paintedAt - t0,
      rowsInDom: document.querySelectorAll('.rows-viewport .row').length,
      firstRowName: document.querySelector('.rows-viewport .row .span-name')?.textContent ?? null,
      scrollHeight: viewport ? viewport.scrollHeight : 0,
      clientHeight: viewport ? viewport.clientHeight : 0,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Baseline: every row as plain DOM, appended all at once.

  function baselineSkeleton() {
    const app = document.getElementById('app');
    // Stand-ins for the webview's header and toolbar, so the rows get about the same height.
    const header = document.createElement('header');
    header.className = 'run-header';
    header.innerHTML = '<h1>agent.run</h1><div class="facts"><span class="fact">Duration …</span></div>';
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    toolbar.style.height = '30px';
    const viewport = document.createElement('div');
    viewport.className = 'rows-viewport';
    const spacer = document.createElement('div');
    spacer.className = 'rows-spacer';
    viewport.append(spacer);
    const axis = document.createElement('div');
    axis.className = 'axis';
    const waterfall = document.createElement('section');
    waterfall.className = 'waterfall';
    waterfall.append(axis, viewport);
    const details = document.createElement('aside');
    details.className = 'details';
    const layout = document.createElement('div');
    layout.className = 'layout';
    layout.append(waterfall, details);
    app.append(header, toolbar, layout);
    return spacer;
  }

  /**
   * Receives the same messages (so the same structured-clone delivery), collects the columns,
   * then builds one div per row (name + bar) for the rows a first view shows (members of
   * folded groups hidden, as the webview starts), and appends them all at once.
   */
  async function baselineFirstPaint(capMs) {
    const spacer = baselineSkeleton();
    gc();
    await afterNextPaint();
    const sliceCount = messages.filter((m) => m.method === 'waterfall/traceRows').length;
    let cols;
    let names;
    let endMs = 0;
    let capped = false;
    let rowsBuilt = 0;
    let t0;
    const done = new Promise((resolve) => {
      const onMessage = (e) => {
        const m = e.data;
        if (!m || m.kind !== 'notification') return;
        if (m.method === 'waterfall/traceBegin') {
          const n = m.params.rowCount;
          names = m.params.names;
          endMs = Math.max(m.params.header.durationMs, 1e-6);
          cols = { spanIds: '' };
          cols.count = n;
          cols.received = 0;
          return;
        }
        if (m.method !== 'waterfall/traceRows') return;
        const rows = m.params.rows;
        // Every column the slice holds, in the typed array it came as.
        for (const [name, values] of Object.entries(rows)) {
          if (name === 'offset' || name === 'spanIds') continue;
          cols[name] ??= new values.constructor(cols.count);
          cols[name].set(values, rows.offset);
        }
        cols.spanIds += rows.spanIds;
        cols.received = rows.offset + rows.startMs.length;
        for (let i = 0; i < rows.startMs.length; i++) endMs = Math.max(endMs, rows.startMs[i] + rows.durationMs[i]);
        if (cols.received < cols.count) return;
        window.removeEventListener('message', onMessage);
        const fragment = document.createDocumentFragment();
        let index = 0;
        for (let r = 0; r < cols.count; ) {
          if ((index & 4095) === 0 && performance.now() - t0 > capMs) {
            capped = true;
            break;
          }
          const group = cols.groupSize[r] > 0;
          const kind = ROW_KINDS[cols.kind[r]] ?? 'other';
          const row = document.createElement('div');
          row.className = 'row';
          row.style.top = `${index * 22}px`;
          const nameCell = document.createElement('div');
          nameCell.className = 'name-cell';
          nameCell.style.paddingLeft = `${4 + cols.depth[r] * 14}px`;
          const name = document.createElement('span');
          name.className = 'span-name';
          name.textContent = group ? `${names[cols.nameIndex[r]]} ×${cols.groupSize[r]}` : names[cols.nameIndex[r]];
          nameCell.append(name);
          const barCell = document.createElement('div');
          barCell.className = 'bar-cell';
          const bar = document.createElement('div');
          bar.className = `bar kind-${kind}`;
          bar.style.left = `${(cols.startMs[r] / endMs) * 100}%`;
          bar.style.width = `max(2px, ${(cols.durationMs[r] / endMs) * 100}%)`;
          barCell.append(bar);
          row.append(nameCell, barCell);
          fragment.append(row);
          index++;
          // Group rows start collapsed: skip their members.
          r = cols.flags[r] & GROUP ? cols.subtreeEnd[r] : r + 1;
        }
        rowsBuilt = index;
        if (capped) {
          resolve(performance.now());
          return;
        }
        spacer.style.height = `${index * 22}px`;
        spacer.append(fragment);
        afterNextPaint().then(() => resolve(performance.now()));
      };
      window.addEventListener('message', onMessage);
    });
    t0 = performance.now();
    for (const m of messages) window.postMessage(m, '*');
    const paintedAt = await done;
    const viewport = document.querySelector('.rows-viewport');
    return {
      paintedMs: paintedAt - t0,
      capped,
      rowsBuilt,
      rowsInDom: spacer.childElementCount,
      firstRowName: spacer.querySelector('.span-name')?.textContent ?? null,
      scrollHeight: viewport.scrollHeight,
      clientHeight: viewport.clientHeight,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Scrolling

  /**
   * Scrolls `.rows-viewport` once per frame: `step` px down (wrapping to the top at the end),
   * and every `jumpEvery` frames a jump to the next of a few positions spread over the trace.
   * Per frame it records the main-thread time from this frame's rAF callback (where the
   * scroll is set) until the first task after the frame was rendered, which covers the
   * webview's own rAF re-render of the previous scroll, style, layout and paint; and the
   * interval between rAF timestamps. Stops early after `budgetMs`.
   */
  async function scroll(frames, step, jumpEvery, budgetMs) {
    const viewport = document.querySelector('.rows-viewport');
    const max = Math.max(0, viewport.scrollHeight - viewport.clientHeight);
    const jumpTo = [0.5, 0.92, 0.2, 0.75, 0.05, 0.99, 0.35, 0.6];
    const work = [];
    const intervals = [];
    let jump = 0;
    gc();
    await afterNextPaint();
    await afterNextPaint();
    viewport.scrollTop = 0;
    await afterNextPaint();
    return new Promise((resolve) => {
      let i = 0;
      let prevTs;
      const deadline = performance.now() + budgetMs;
      const markers = new MessageChannel();
      const starts = [];
      markers.port1.onmessage = (e) => {
        work[e.data] = performance.now() - starts[e.data];
      };
      const frame = (ts) => {
        if (prevTs !== undefined) intervals.push(ts - prevTs);
        prevTs = ts;
        if (i === frames || performance.now() > deadline) {
          // One more frame so the last scroll is rendered and measured.
          setTimeout(() => resolve({ work: work.filter((v) => v !== undefined), intervals, max, scrollTop: viewport.scrollTop, rowsInDom: document.querySelectorAll('.rows-viewport .row').length }), 50);
          return;
        }
        starts[i] = performance.now();
        if (i % jumpEvery === jumpEvery - 1) {
          viewport.scrollTop = Math.round(max * jumpTo[jump++ % jumpTo.length]);
        } else {
          viewport.scrollTop = viewport.scrollTop + step >= max ? 0 : viewport.scrollTop + step;
        }
        markers.port2.postMessage(i);
        i++;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  }

  window.__bench = { mode, load, firstPaint, baselineFirstPaint, scroll, posted };
})();
