import type { GraphEdge, GraphLink, GraphModel, GraphTopic } from './graph-model.js';
import { linkBox, topicBox, TOPIC_SLANT, type NodeBox } from './node-box.js';

/** A node placed on the drawing: `x`, `y` are its top-left corner in px. */
export interface PlacedNode extends NodeBox {
  x: number;
  y: number;
  /** Its column, 0 at the left. */
  rank: number;
}

/** An edge as an SVG path, with its label's centre when it has one. */
export interface PlacedEdge {
  from: string;
  to: string;
  kind: GraphEdge['kind'];
  /** The `d` attribute of an SVG path ending on the target's border. */
  path: string;
  label?: { text: string; x: number; y: number };
}

/** The drawing of a topology: nodes and edges placed, and the size in px that holds them. */
export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const MARGIN = 24;
const COLUMN_GAP = 96;
const ROW_GAP = 26;
// How far below the lowest node an edge that goes back (a cycle) loops.
const LOOP_DEPTH = 36;

/** What each node shows and how big it is: `catenae graph`'s boxes unless told otherwise. */
export interface NodeBoxes {
  link(link: GraphLink): NodeBox;
  topic(topic: GraphTopic): NodeBox;
}

/**
 * Lays the topology out in columns, left to right: each node one column right of the farthest
 * node writing to it (longest path; a cycle is cut where a depth-first walk meets it again),
 * topics nobody writes pulled next to their readers, and each column ordered by the mean
 * position of its neighbours to keep edges from crossing.
 */
export function layoutGraph(model: GraphModel, boxOf: NodeBoxes = { link: linkBox, topic: topicBox }): GraphLayout {
  const boxes = [...model.links.map((link) => boxOf.link(link)), ...model.topics.map((topic) => boxOf.topic(topic))];
  const index = new Map(boxes.map((box, i) => [box.id, i]));
  const edges = model.edges.map((edge) => ({ edge, from: index.get(edge.from)!, to: index.get(edge.to)! }));
  const forward = forwardEdges(boxes.length, edges);
  const rank = rankNodes(boxes, edges, forward);
  const columns = orderColumns(boxes.length, rank, edges);
  const nodes = placeNodes(boxes, columns);
  const bottom = Math.max(MARGIN, ...nodes.map((n) => n.y + n.height));
  const ports = assignPorts(nodes, edges, forward);
  const placed = edges.map(({ edge, from, to }, i) => placeEdge(edge, nodes[from]!, nodes[to]!, ports[i], bottom));
  const width = Math.max(...nodes.map((n) => n.x + n.width), 0) + MARGIN;
  const hasLoop = forward.some((f, i) => !f || nodes[edges[i]!.from]!.rank >= nodes[edges[i]!.to]!.rank);
  return { width, height: bottom + MARGIN + (hasLoop ? LOOP_DEPTH : 0), nodes, edges: placed };
}

type IndexedEdge = { edge: GraphEdge; from: number; to: number };

// Marks the edges a depth-first walk does not meet as back edges: what is left has no cycle.
function forwardEdges(count: number, edges: IndexedEdge[]): boolean[] {
  const out = Array.from({ length: count }, () => [] as number[]);
  const hasInput = new Array<boolean>(count).fill(false);
  edges.forEach(({ from, to }, i) => {
    out[from]!.push(i);
    hasInput[to] = true;
  });
  const state = new Array<0 | 1 | 2>(count).fill(0); // unseen, on the stack, done
  const forward = new Array<boolean>(edges.length).fill(true);
  const visit = (node: number): void => {
    state[node] = 1;
    for (const i of out[node]!) {
      const next = edges[i]!.to;
      if (state[next] === 1) forward[i] = false;
      else if (state[next] === 0) visit(next);
    }
    state[node] = 2;
  };
  const roots = [...Array(count).keys()].sort((a, b) => Number(hasInput[a]) - Number(hasInput[b]));
  for (const node of roots) if (state[node] === 0) visit(node);
  return forward;
}

function rankNodes(boxes: NodeBox[], edges: IndexedEdge[], forward: boolean[]): number[] {
  const rank = new Array<number>(boxes.length).fill(0);
  // Longest path over the acyclic part: relax until stable (at most one pass per node).
  for (let pass = 0, changed = true; changed && pass < boxes.length; pass++) {
    changed = false;
    edges.forEach(({ from, to }, i) => {
      if (forward[i] && rank[to]! < rank[from]! + 1) {
        rank[to] = rank[from]! + 1;
        changed = true;
      }
    });
  }
  // A node nobody writes (a topic fed from outside) sits just left of its nearest reader.
  boxes.forEach((box, node) => {
    if (box.shape === 'source' || edges.some((e, i) => forward[i] && e.to === node)) return;
    const readers = edges.filter((e, i) => forward[i] && e.from === node).map((e) => rank[e.to]!);
    if (readers.length > 0) rank[node] = Math.max(0, Math.min(...readers) - 1);
  });
  return rank;
}

// Barycentre ordering: a few sweeps right then left, sorting each column by the mean row of
// its neighbours in the columns already placed.
function orderColumns(count: number, rank: number[], edges: IndexedEdge[]): number[][] {
  const columns: number[][] = [];
  for (let node = 0; node < count; node++) (columns[rank[node]!] ??= []).push(node);
  for (let c = 0; c < columns.length; c++) columns[c] ??= [];
  const row = new Array<number>(count).fill(0);
  const setRows = () => columns.forEach((column) => column.forEach((node, r) => (row[node] = r)));
  setRows();
  for (let sweep = 0; sweep < 4; sweep++) {
    const rightward = sweep % 2 === 0;
    const order = rightward ? columns.keys() : [...columns.keys()].reverse();
    for (const c of order) {
      const neighbours = (node: number) =>
        edges
          .filter((e) => (e.to === node && rightward) || (e.from === node && !rightward))
          .map((e) => (rightward ? e.from : e.to))
          .filter((other) => rank[other] !== c);
      const weight = (node: number) => {
        const rows = neighbours(node).map((other) => row[other]!);
        return rows.length === 0 ? row[node]! : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      const weights = new Map(columns[c]!.map((node) => [node, weight(node)]));
      columns[c]!.sort((a, b) => weights.get(a)! - weights.get(b)! || row[a]! - row[b]!);
      setRows();
    }
  }
  return columns;
}

function placeNodes(boxes: NodeBox[], columns: number[][]): PlacedNode[] {
  const heights = columns.map((column) => column.reduce((sum, node) => sum + boxes[node]!.height, 0) + ROW_GAP * Math.max(0, column.length - 1));
  const tallest = Math.max(0, ...heights);
  const nodes = new Array<PlacedNode>(boxes.length);
  let x = MARGIN;
  columns.forEach((column, c) => {
    const width = Math.max(0, ...column.map((node) => boxes[node]!.width));
    let y = MARGIN + (tallest - heights[c]!) / 2;
    for (const node of column) {
      const box = boxes[node]!;
      nodes[node] = { ...box, x: x + (width - box.width) / 2, y, rank: c };
      y += box.height + ROW_GAP;
    }
    x += width + COLUMN_GAP;
  });
  return nodes;
}

// Where each left-to-right edge leaves its writer and enters its reader: edges sharing a side
// of a node are spread over its middle, in the order of the nodes at their other end, so
// neither the arrows nor their labels meet. Back edges get no port.
function assignPorts(nodes: PlacedNode[], edges: IndexedEdge[], forward: boolean[]): ({ y1: number; y2: number } | undefined)[] {
  const isRightward = (i: number) => forward[i]! && nodes[edges[i]!.from]!.rank < nodes[edges[i]!.to]!.rank;
  const ports = edges.map((_, i) => (isRightward(i) ? { y1: 0, y2: 0 } : undefined));
  const centre = (node: number) => nodes[node]!.y + nodes[node]!.height / 2;
  nodes.forEach((node, n) => {
    const spread = (list: number[], other: (i: number) => number, set: (i: number, y: number) => void) => {
      list.sort((a, b) => centre(other(a)) - centre(other(b)));
      list.forEach((i, k) => set(i, node.y + node.height * (0.2 + (0.6 * (k + 1)) / (list.length + 1))));
    };
    const outs = edges.flatMap((e, i) => (e.from === n && ports[i] ? [i] : []));
    const ins = edges.flatMap((e, i) => (e.to === n && ports[i] ? [i] : []));
    spread(outs, (i) => edges[i]!.to, (i, y) => (ports[i]!.y1 = y));
    spread(ins, (i) => edges[i]!.from, (i, y) => (ports[i]!.y2 = y));
  });
  return ports;
}

function placeEdge(edge: GraphEdge, from: PlacedNode, to: PlacedNode, port: { y1: number; y2: number } | undefined, bottom: number): PlacedEdge {
  const text = edge.priority === undefined ? undefined : `priority ${edge.priority}`;
  let curve: Curve;
  let labelAt: number;
  if (port) {
    const [x1, y1] = [rightBorder(from, port.y1), port.y1];
    const [x2, y2] = [leftBorder(to, port.y2), port.y2];
    const dx = (x2 - x1) / 2;
    curve = [x1, y1, x1 + dx, y1, x2 - dx, y2, x2, y2];
    labelAt = 0.5;
  } else {
    // A back edge: from under the writer, looping below the drawing, into the reader from below.
    const [x1, y1] = [from.x + from.width / 2, from.y + from.height];
    const [x2, y2] = [to.x + to.width / 2, to.y + to.height];
    const low = bottom + LOOP_DEPTH;
    curve = [x1, y1, x1, low, x2, low, x2, y2];
    labelAt = 0.75;
  }
  const path = `M${f(curve[0])},${f(curve[1])} C${f(curve[2])},${f(curve[3])} ${f(curve[4])},${f(curve[5])} ${f(curve[6])},${f(curve[7])}`;
  const [x, y] = bezierPoint(curve, labelAt);
  return { from: edge.from, to: edge.to, kind: edge.kind, path, ...(text && { label: { text, x, y } }) };
}

// A topic is a parallelogram: its sides slant, so an arrow's end depends on its height.
function leftBorder(node: PlacedNode, y: number): number {
  return node.shape === 'topic' ? node.x + TOPIC_SLANT * (1 - (y - node.y) / node.height) : node.x;
}

function rightBorder(node: PlacedNode, y: number): number {
  return node.shape === 'topic' ? node.x + node.width - TOPIC_SLANT * ((y - node.y) / node.height) : node.x + node.width;
}

type Curve = [number, number, number, number, number, number, number, number];

function bezierPoint(c: Curve, t: number): [number, number] {
  const u = 1 - t;
  const [a, b, d, e] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return [a * c[0] + b * c[2] + d * c[4] + e * c[6], a * c[1] + b * c[3] + d * c[5] + e * c[7]];
}

// Coordinates rounded to a tenth of a pixel keep the SVG small and stable.
function f(value: number): string {
  return String(Math.round(value * 10) / 10);
}
