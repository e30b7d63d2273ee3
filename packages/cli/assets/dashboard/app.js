// The Catenae dashboard page: plain JavaScript, no build step, nothing loaded from elsewhere.
// It receives a frame a second from /events (server-sent events) and draws it: the graph laid out
// by the server (catenae graph's layout), and the details of the link chosen (#link=<name>).
const SVG = 'http://www.w3.org/2000/svg';
const FONT = { title: 14, caption: 11, detail: 11, warning: 11, topic: 12 };
const LINE = { title: 18, caption: 15, detail: 15, warning: 15, topic: 16 };
const PAD_Y = 9;
const SLANT = 8;

let frame;
let rpcRenderedFor;

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

const fmt = (n) => (n < 10 && !Number.isInteger(n) ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
const ago = (ms) => (ms < 1500 ? 'just now' : ms < 90_000 ? `${Math.round(ms / 1000)} s ago` : `${Math.round(ms / 60_000)} min ago`);
const selected = () => decodeURIComponent((location.hash.match(/^#link=(.+)$/) ?? [])[1] ?? '');

function drawGraph() {
  const svg = document.getElementById('graph');
  const { drawing } = frame;
  document.getElementById('empty').hidden = frame.links.length > 0;
  // As wide as the pane, but never more than 1.4 times its natural size (a small topology).
  svg.style.maxWidth = `${Math.round(drawing.width * 1.4)}px`;
  svg.setAttribute('viewBox', `0 0 ${drawing.width} ${drawing.height}`);
  const defs = el('svg:defs', {}, el('svg:marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: '#616161' })));
  const edges = drawing.edges.map((e) => el('svg:path', { class: `edge ${e.kind}${e.perSecond > 0 ? ' flowing' : ''}`, d: e.path, 'marker-end': 'url(#arrow)', 'data-edge': `${e.from}->${e.to}` }));
  const nodes = drawing.nodes.map(drawNode);
  const labels = el('svg:g', { class: 'edge-labels' });
  svg.replaceChildren(defs, ...edges, ...nodes, labels);
  // Rates sit at the middle of their arrows: measured on the drawn paths.
  drawing.edges.forEach((e, i) => {
    const path = edges[i];
    const point = path.getPointAtLength(path.getTotalLength() / 2);
    const text = `${fmt(e.perSecond)}/s`;
    const width = text.length * 6.2 + 10;
    labels.append(
      el('svg:g', { class: 'edge-label', 'data-edge-rate': `${e.from}->${e.to}` },
        el('svg:rect', { x: point.x - width / 2, y: point.y - 9, width, height: 16, rx: 3 }),
        el('svg:text', { x: point.x, y: point.y + 3, 'text-anchor': 'middle', text })),
    );
  });
}

function drawNode(node) {
  const isLink = !node.id.startsWith('topic:');
  const g = el('svg:g', {
    class: `node ${isLink ? 'link' : 'topic'} ${node.shape}${node.isDown ? ' down' : ''}${isLink && node.name === selected() ? ' selected' : ''}`,
    'data-id': node.id,
    ...(isLink ? { 'data-link': node.name, tabindex: 0, role: 'button', onclick: () => choose(node.name), onkeydown: (ev) => ev.key === 'Enter' && choose(node.name) } : { 'data-topic': node.name }),
  });
  const { x, y, width: w, height: h } = node;
  g.append(
    isLink
      ? el('svg:rect', { class: 'shape', x, y, width: w, height: h, rx: node.shape === 'middle' ? 6 : 14 })
      : el('svg:path', { class: 'shape', d: `M${x + SLANT},${y} L${x + w},${y} L${x + w - SLANT},${y + h} L${x},${y + h} z` }),
  );
  let baseline = y + PAD_Y;
  node.lines.forEach((line, i) => {
    baseline += LINE[line.style];
    g.append(el('svg:text', {
      class: `${line.style}${line.style === 'topic' ? ' topic-name' : ''}`,
      'data-line': i,
      x: x + w / 2,
      y: baseline - (LINE[line.style] - FONT[line.style]) / 2 - 2,
      'text-anchor': 'middle',
      'font-size': FONT[line.style],
      'font-weight': line.style === 'title' ? 700 : undefined,
      text: line.text,
    }));
  });
  return g;
}

function choose(name) {
  location.hash = name ? `link=${encodeURIComponent(name)}` : '';
}

function figure(label, value, isBad = false, field = undefined) {
  return el('div', { class: `figure${isBad ? ' bad' : ''}` }, el('b', { text: value, 'data-field': field }), el('span', { text: label }));
}

function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { class: h.startsWith('#') ? 'num' : undefined, text: h.replace(/^#/, '') })))), el('tbody', {}, rows));
}

function drawOverview(root) {
  const live = frame.links.reduce((n, l) => n + l.live, 0);
  root.append(
    el('h2', { text: 'Links' }),
    el('p', { class: 'sub', text: `${frame.links.length} links, ${live} instances running. Click a link for its instances, partitions, errors and RPC methods.` }),
    table(['link', '#instances', '#in/s', '#out/s', '#lag', '#errors', '#dlq'], frame.links.map((l) =>
      el('tr', { class: 'pick', 'data-overview': l.name, onclick: () => choose(l.name) },
        el('td', { text: l.name }), el('td', { class: 'num', text: `${l.live}${l.instances.length > l.live ? ` (+${l.instances.length - l.live})` : ''}` }),
        el('td', { class: 'num', text: fmt(l.inPerSecond) }), el('td', { class: 'num', text: fmt(l.outPerSecond) }),
        el('td', { class: 'num', text: fmt(l.lag) }), el('td', { class: 'num', text: fmt(l.errors) }), el('td', { class: 'num', text: fmt(l.deadLetters) })))),
  );
}

function drawDetail(root, link) {
  const tables = Object.entries(link.tables);
  const parts = [
    el('a', { href: '#', class: 'back', text: '← all links' }),
    el('h2', { text: link.name, 'data-detail': link.name }),
    el('p', { class: 'sub', text: `${link.kind} link · group ${link.consumerGroups.join(', ') || '-'} · mode ${link.modes.join(', ')}` }),
    el('p', { class: 'sub mono', text: `${link.inputs.join(', ') || '(no input)'} → ${link.outputs.join(', ') || '(no output)'}` }),
    el('div', { class: 'figures' },
      figure('electrons/s in', fmt(link.inPerSecond), false, 'in-rate'), figure('electrons/s out', fmt(link.outPerSecond), false, 'out-rate'),
      figure('consumer lag', fmt(link.lag), false, 'lag'), figure('in since start', fmt(link.inTotal), false, 'in-total'), figure('out since start', fmt(link.outTotal)),
      figure('errors', fmt(link.errors), link.errors > 0, 'errors'), figure('dead letters', fmt(link.deadLetters), link.deadLetters > 0, 'dead-letters'),
      figure('refused outputs', fmt(link.deliveryErrors), link.deliveryErrors > 0), figure('instances running', String(link.live), link.live === 0, 'live')),
    el('h3', { text: 'Instances' }),
    table(['instance', 'status', 'partitions', '#in/s', '#lag', 'heard'], link.instances.map((i) =>
      el('tr', { 'data-instance': i.uid },
        el('td', {}, el('span', { class: 'mono', text: i.uid }), el('br'), el('span', { class: 'sub', text: `${i.host} · pid ${i.pid}` })),
        el('td', {}, el('span', { class: `status ${i.status}`, text: i.isRestoring ? 'restoring' : i.status })),
        el('td', { class: 'mono', 'data-partitions': true, text: i.partitions.join(' ') || '-' }), el('td', { class: 'num', text: fmt(i.inPerSecond) }),
        el('td', { class: 'num', text: fmt(i.lag) }), el('td', { text: ago(i.silentMs) })))),
    el('h3', { text: 'Lag per partition' }),
    link.lagByPartition.length === 0
      ? el('p', { class: 'sub', text: 'Not known yet (Kafka reports it every 5 s), or the link reads nothing.' })
      : table(['topic', '#partition', '#lag', 'owner'], link.lagByPartition.map((p) =>
        el('tr', { 'data-partition': `${p.topic}[${p.partition}]` }, el('td', { class: 'mono', text: p.topic }), el('td', { class: 'num', text: p.partition }), el('td', { class: 'num', text: fmt(p.lag) }), el('td', { class: 'mono', text: p.uid })))),
    tables.length === 0 ? undefined : el('h3', { text: 'Tables' }),
    tables.length === 0 ? undefined : table(['table', '#entries'], tables.map(([name, n]) => el('tr', {}, el('td', { text: name }), el('td', { class: 'num', text: fmt(n) })))),
    el('h3', { text: 'Recent errors' }),
    link.recentErrors.length === 0
      ? el('p', { class: 'sub', text: 'None.' })
      : el('div', {}, [...link.recentErrors].reverse().map((e) => el('p', { class: 'error-line', text: `${new Date(e.at).toLocaleTimeString()} ${e.uid} ${e.topic} (${e.action}): ${e.message}` }))),
    link.deadLetterTopics.length === 0 ? undefined : el('p', { class: 'sub mono', text: `dead letters go to ${link.deadLetterTopics.join(', ')}` }),
  ];
  root.append(...parts.filter((part) => part !== undefined));
}

function drawRpc(root, link) {
  const key = link ? `${link.name}\u0000${link.rpcMethods.join(',')}\u0000${frame.canCallRpc}` : '';
  if (key === rpcRenderedFor) return;
  rpcRenderedFor = key;
  root.replaceChildren();
  if (!link) return;
  root.append(el('h3', { text: 'RPC methods' }));
  if (link.rpcMethods.length === 0) return root.append(el('p', { class: 'sub', text: 'None: the link has no @Rpc() method.' }));
  const result = el('div', { class: 'rpc-result', hidden: true });
  const args = el('textarea', { rows: 2, 'aria-label': 'arguments as JSON', text: '{}' });
  root.append(table(['method', '#served'], link.rpcMethods.map((m) =>
    el('tr', { 'data-rpc': m }, el('td', { class: 'mono' }, `${m}()`, frame.canCallRpc ? el('button', { style: 'margin-left:8px', onclick: () => call(link.name, m, args, result), text: 'call' }) : undefined),
      el('td', { class: 'num', text: fmt(link.rpcServed[m] ?? 0) })))));
  if (frame.canCallRpc) root.append(el('p', { class: 'sub', text: 'Arguments (JSON):' }), args, result);
  else root.append(el('p', { class: 'sub', text: 'Read-only: start the dashboard with --allow-rpc to call these methods from here.' }));
}

async function call(link, method, argsInput, result) {
  result.hidden = false;
  let args;
  try {
    args = JSON.parse(argsInput.value || 'null');
  } catch (err) {
    result.textContent = `arguments are not JSON: ${err.message}`;
    return;
  }
  result.textContent = `calling ${link}.${method}()…`;
  const response = await fetch('/api/rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link, method, args }) });
  const body = await response.json();
  result.textContent = response.ok ? JSON.stringify(body.result, null, 2) ?? 'undefined' : `failed: ${body.error}`;
}

function render() {
  if (!frame) return;
  const instances = frame.links.flatMap((l) => l.instances);
  const count = (status) => instances.filter((i) => i.status === status).length;
  document.getElementById('summary').textContent =
    `Kafka ${frame.kafka} · ${frame.links.length} links · ${count('running')} instances running` +
    `${count('gone') > 0 ? ` · ${count('gone')} gone` : ''} · ${frame.topics.length} streams · updated ${new Date(frame.at).toLocaleTimeString()}`;
  drawGraph();
  const link = frame.links.find((l) => l.name === selected());
  const live = document.getElementById('detail-live');
  live.replaceChildren();
  if (link) drawDetail(live, link);
  else drawOverview(live);
  drawRpc(document.getElementById('detail-rpc'), link);
}

function connect() {
  const status = document.getElementById('connection');
  const events = new EventSource('/events');
  events.onopen = () => {
    status.className = 'connection live';
    status.textContent = 'live';
  };
  events.onmessage = (message) => {
    frame = JSON.parse(message.data);
    document.body.dataset.frameAt = String(frame.at);
    render();
  };
  // EventSource reconnects by itself (retry: 1000).
  events.onerror = () => {
    status.className = 'connection down';
    status.textContent = 'reconnecting…';
  };
}

window.addEventListener('hashchange', render);
connect();
