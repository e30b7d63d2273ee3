import type { GraphLink, GraphModel } from './graph-model.js';

// Shapes: a source is a stadium, a middle link a rectangle, a leaf a subroutine box, a topic a
// parallelogram (a stream flowing left to right).
const LINK_SHAPES: Record<GraphLink['kind'], [string, string]> = {
  source: ['([', '])'],
  middle: ['[', ']'],
  leaf: ['[[', ']]'],
};

const CLASS_DEFS = [
  'classDef source fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20',
  'classDef middle fill:#e3f2fd,stroke:#1565c0,color:#0d47a1',
  'classDef leaf fill:#fff3e0,stroke:#e65100,color:#bf360c',
  'classDef topic fill:#f5f5f5,stroke:#757575,color:#212121',
];

/**
 * The topology as a Mermaid flowchart (left to right): one node per link and per topic, an edge
 * per write and per read, input priorities as edge labels, generators, tables and RPC methods in the
 * link's label. Ends with a newline.
 */
export function renderMermaid(model: GraphModel): string {
  const ids = new Map<string, string>();
  model.links.forEach((link, i) => ids.set(link.id, `L${i}`));
  model.topics.forEach((topic, i) => ids.set(topic.id, `T${i}`));
  const lines = ['flowchart LR'];
  for (const link of model.links) {
    const [open, close] = LINK_SHAPES[link.kind];
    lines.push(`  ${ids.get(link.id)}${open}"${linkLabel(link)}"${close}:::${link.kind}`);
  }
  for (const topic of model.topics) lines.push(`  ${ids.get(topic.id)}[/"${escape(topic.name)}"/]:::topic`);
  for (const edge of model.edges) {
    const label = edge.priority === undefined ? '' : `|"priority ${edge.priority}"|`;
    lines.push(`  ${ids.get(edge.from)} -->${label} ${ids.get(edge.to)}`);
  }
  for (const def of CLASS_DEFS) lines.push(`  ${def}`);
  return `${lines.join('\n')}\n`;
}

function linkLabel(link: GraphLink): string {
  const parts = [`<b>${escape(link.name)}</b>`, `<i>${link.kind} link</i>`];
  for (const generator of link.generators) parts.push(escape(generator));
  for (const table of link.tables) parts.push(escape(table));
  for (const method of link.rpcMethods) parts.push(`rpc ${escape(method)}()`);
  if (link.missingInputs) parts.push('inputs: not set (-i)');
  if (link.missingOutput) parts.push('output: not set (-o)');
  return parts.join('<br/>');
}

// Mermaid reads entity codes (#quot;) inside quoted labels; these characters would end the label
// or open markup.
function escape(text: string): string {
  return text.replace(/[&<>"#]/g, (c) => `#${c.charCodeAt(0)};`);
}
