import type { GraphModel } from './graph-model.js';
import { layoutGraph, type PlacedEdge, type PlacedNode } from './layout-graph.js';
import { FONT_SIZE, LINE_HEIGHT, PADDING, TOPIC_SLANT, type BoxLine } from './node-box.js';

const COLORS: Record<PlacedNode['shape'], { fill: string; stroke: string; text: string }> = {
  source: { fill: '#e8f5e9', stroke: '#2e7d32', text: '#1b5e20' },
  middle: { fill: '#e3f2fd', stroke: '#1565c0', text: '#0d47a1' },
  leaf: { fill: '#fff3e0', stroke: '#e65100', text: '#bf360c' },
  topic: { fill: '#f5f5f5', stroke: '#757575', text: '#212121' },
};
const SANS = "Helvetica, Arial, 'DejaVu Sans', sans-serif";
const MONO = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace";
const LEGEND_HEIGHT = 40;

/**
 * The topology as a standalone SVG document: links and topics laid out left to right (sources
 * at the left), edges as arrows, input priorities as edge labels, and a legend of the shapes.
 * Plain SVG 1.1 with no script, style sheet or external reference, so any viewer shows it.
 */
export function renderSvg(model: GraphModel): string {
  const layout = layoutGraph(model);
  const width = Math.max(layout.width, 460);
  const height = layout.height + LEGEND_HEIGHT;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${SANS}">`,
    '<title>Catenae topology</title>',
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
      '<path d="M0,0 L10,5 L0,10 z" fill="#616161"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const edge of layout.edges) out.push(edgePath(edge));
  for (const node of layout.nodes) out.push(nodeGroup(node));
  for (const edge of layout.edges) if (edge.label) out.push(edgeLabel(edge.label));
  out.push(legend(layout.height));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function edgePath(edge: PlacedEdge): string {
  return `<path class="edge ${edge.kind}" data-from="${xml(edge.from)}" data-to="${xml(edge.to)}" d="${edge.path}" fill="none" stroke="#616161" stroke-width="1.4" marker-end="url(#arrow)"/>`;
}

function edgeLabel(label: NonNullable<PlacedEdge['label']>): string {
  const w = label.text.length * 6.2 + 10;
  return (
    `<g class="edge-label"><rect x="${r(label.x - w / 2)}" y="${r(label.y - 9)}" width="${r(w)}" height="16" rx="3" fill="#ffffff" stroke="#bdbdbd"/>` +
    `<text x="${r(label.x)}" y="${r(label.y + 3)}" font-size="10.5" text-anchor="middle" fill="#424242">${xml(label.text)}</text></g>`
  );
}

function nodeGroup(node: PlacedNode): string {
  const color = COLORS[node.shape];
  const kind = node.shape === 'topic' ? 'topic' : 'link';
  const parts = [`<g class="${kind} ${node.shape}" data-id="${xml(node.id)}">`, shape(node, color.fill, color.stroke)];
  let y = node.y + PADDING.y;
  for (const line of node.lines) {
    y += LINE_HEIGHT[line.style];
    parts.push(text(line, node.x + node.width / 2, y - (LINE_HEIGHT[line.style] - FONT_SIZE[line.style]) / 2 - 2, color.text));
  }
  parts.push('</g>');
  return parts.join('');
}

function shape(node: PlacedNode, fill: string, stroke: string): string {
  const { x, y, width: w, height: h } = node;
  const paint = `fill="${fill}" stroke="${stroke}" stroke-width="1.6"`;
  switch (node.shape) {
    case 'source': // a stadium: the rounded ends of a producer
      return `<rect x="${r(x)}" y="${r(y)}" width="${w}" height="${h}" rx="${r(Math.min(h / 2, 22))}" ${paint}/>`;
    case 'middle':
      return `<rect x="${r(x)}" y="${r(y)}" width="${w}" height="${h}" rx="4" ${paint}/>`;
    case 'leaf': // a double border: where the stream ends
      return `<rect x="${r(x)}" y="${r(y)}" width="${w}" height="${h}" rx="4" ${paint}/><rect x="${r(x + 4)}" y="${r(y + 4)}" width="${w - 8}" height="${h - 8}" rx="2" fill="none" stroke="${stroke}" stroke-width="0.8"/>`;
    case 'topic': // a parallelogram: a stream flowing right
      return `<polygon points="${r(x + TOPIC_SLANT)},${r(y)} ${r(x + w)},${r(y)} ${r(x + w - TOPIC_SLANT)},${r(y + h)} ${r(x)},${r(y + h)}" ${paint}/>`;
  }
}

function text(line: BoxLine, x: number, baseline: number, color: string): string {
  const size = FONT_SIZE[line.style];
  const style = {
    title: ' font-weight="bold"',
    caption: ' font-style="italic" fill-opacity="0.75"',
    detail: '',
    warning: ' fill="#c62828"',
    topic: ` font-family="${MONO}"`,
  }[line.style];
  const fill = line.style === 'warning' ? '' : ` fill="${color}"`;
  return `<text x="${r(x)}" y="${r(baseline)}" font-size="${size}" text-anchor="middle"${fill}${style}>${xml(line.text)}</text>`;
}

function legend(top: number): string {
  const y = top + 8;
  const items: [PlacedNode['shape'], string][] = [['source', 'source link'], ['middle', 'middle link'], ['leaf', 'leaf link'], ['topic', 'topic']];
  const parts = [`<g class="legend" font-size="11" fill="#424242"><line x1="16" y1="${y - 6}" x2="444" y2="${y - 6}" stroke="#e0e0e0"/>`];
  items.forEach(([kind, label], i) => {
    const x = 24 + i * 108;
    const color = COLORS[kind];
    const sample: PlacedNode = { id: '', shape: kind, lines: [], width: 26, height: 16, x, y: y + 4, rank: 0 };
    parts.push(shape(sample, color.fill, color.stroke).replace(/ stroke-width="1.6"/g, ' stroke-width="1.2"'));
    parts.push(`<text x="${x + 32}" y="${y + 16}">${label}</text>`);
  });
  parts.push('</g>');
  return parts.join('');
}

function r(value: number): string {
  return String(Math.round(value * 10) / 10);
}

// Text and attribute values: the five characters XML reserves.
function xml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
