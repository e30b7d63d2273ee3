import type { GraphLink, GraphTopic } from './graph-model.js';

/** One line of text inside a node, with how it is drawn. */
export interface BoxLine {
  text: string;
  style: 'title' | 'caption' | 'detail' | 'warning' | 'topic';
}

/** What a node shows and how big it is drawn, in SVG user units (px). */
export interface NodeBox {
  id: string;
  shape: GraphLink['kind'] | 'topic';
  lines: BoxLine[];
  width: number;
  height: number;
}

/** Font size in px of each line style; the renderer uses the same figures. */
export const FONT_SIZE: Record<BoxLine['style'], number> = { title: 14, caption: 11, detail: 11, warning: 11, topic: 12 };
/** Vertical distance in px from one baseline to the next, per style. */
export const LINE_HEIGHT: Record<BoxLine['style'], number> = { title: 18, caption: 15, detail: 15, warning: 15, topic: 16 };
/** Padding in px between a node's border and its text. */
export const PADDING = { x: 14, y: 9 };

/** Horizontal offset in px of a topic parallelogram's top edge against its bottom edge. */
export const TOPIC_SLANT = 8;

// Average advance per character as a fraction of the font size: about 0.55 for a sans-serif
// face (0.62 bold) and 0.6 for a monospace one. Overestimating keeps text inside its box.
const CHAR_WIDTH: Record<BoxLine['style'], number> = { title: 0.64, caption: 0.57, detail: 0.57, warning: 0.57, topic: 0.61 };

/** The box of a link: its name, its kind, its generators, tables and RPC methods, and what it lacks. */
export function linkBox(link: GraphLink): NodeBox {
  const lines: BoxLine[] = [
    { text: link.name, style: 'title' },
    { text: `${link.kind} link`, style: 'caption' },
  ];
  for (const generator of link.generators) lines.push({ text: generator, style: 'detail' });
  for (const table of link.tables) lines.push({ text: table, style: 'detail' });
  for (const method of link.rpcMethods) lines.push({ text: `rpc ${method}()`, style: 'detail' });
  if (link.missingInputs) lines.push({ text: 'inputs: not set (-i)', style: 'warning' });
  if (link.missingOutput) lines.push({ text: 'output: not set (-o)', style: 'warning' });
  return sizedBox(link.id, link.kind, lines, 110);
}

/** The box of a topic: its name. */
export function topicBox(topic: GraphTopic): NodeBox {
  // The parallelogram's slant eats into the text's room on both sides.
  const box = sizedBox(topic.id, 'topic', [{ text: topic.name, style: 'topic' }], 80);
  return { ...box, width: box.width + 2 * TOPIC_SLANT };
}

/** The estimated width in px of a line of text. */
export function textWidth(line: BoxLine): number {
  return line.text.length * FONT_SIZE[line.style] * CHAR_WIDTH[line.style];
}

/** A box holding `lines`, at least `minWidth` px wide plus padding. */
export function sizedBox(id: string, shape: NodeBox['shape'], lines: BoxLine[], minWidth: number): NodeBox {
  const width = Math.ceil(Math.max(minWidth, ...lines.map(textWidth)) + 2 * PADDING.x);
  const height = lines.reduce((sum, line) => sum + LINE_HEIGHT[line.style], 0) + 2 * PADDING.y;
  return { id, shape, lines, width, height };
}
