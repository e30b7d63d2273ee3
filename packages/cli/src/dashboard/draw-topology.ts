import type { GraphModel } from '../graph/graph-model.js';
import { layoutGraph, type GraphLayout } from '../graph/layout-graph.js';
import { TOPIC_SLANT, sizedBox, type BoxLine, type NodeBox } from '../graph/node-box.js';
import type { LinkView, TopicView, TopologySnapshot } from './topology-state.js';

/** A node of the live drawing: where `catenae graph`'s layout put it, and the lines it shows now. */
export interface DrawnNode {
  id: string;
  /** `link:<name>` or `topic:<name>`. */
  name: string;
  shape: NodeBox['shape'];
  /** Whether every instance of the link is gone or stopped (drawn faded). */
  isDown: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  lines: BoxLine[];
}

/** An arrow of the live drawing: its SVG path and the electrons/s on it now. */
export interface DrawnEdge {
  from: string;
  to: string;
  kind: 'input' | 'output';
  path: string;
  perSecond: number;
}

/** The topology drawn for the page: sizes in px, nodes and arrows. */
export interface Drawing {
  width: number;
  height: number;
  nodes: DrawnNode[];
  edges: DrawnEdge[];
}

// Boxes are sized for these widest figures, so numbers change without the layout moving.
const WIDEST = { rate: '999,999', lag: '9,999,999', failures: '99,999', count: '9,999,999', instances: 99 };

/**
 * Draws the topology with `catenae graph`'s layout (columns left to right, sources first) and
 * live figures in the boxes. The layout is computed again only when the shape of the topology
 * changes (links, topics, arrows, lines per box), so boxes stay put while the numbers move.
 */
export class TopologyDrawer {
  #key = '';
  #layout: GraphLayout | undefined;

  draw(snapshot: TopologySnapshot): Drawing {
    const model = modelOf(snapshot);
    const key = JSON.stringify([model, snapshot.links.map((l) => [Object.keys(l.tables), l.rpcMethods.length])]);
    if (key !== this.#key || this.#layout === undefined) {
      const links = new Map(snapshot.links.map((l) => [`link:${l.name}`, l]));
      this.#layout = layoutGraph(model, {
        link: (link) => sizedBox(link.id, link.kind, linkLines(links.get(link.id)!, true), 150),
        topic: (topic) => {
          const box = sizedBox(topic.id, 'topic', topicLines({ name: topic.name, writtenPerSecond: 0, readPerSecond: 0 }, true), 80);
          return { ...box, width: box.width + 2 * TOPIC_SLANT };
        },
      });
      this.#key = key;
    }
    const links = new Map(snapshot.links.map((l) => [`link:${l.name}`, l]));
    const topics = new Map(snapshot.topics.map((t) => [`topic:${t.name}`, t]));
    const rates = new Map(snapshot.edges.map((e) => [`${e.from}\u0000${e.to}`, e.perSecond]));
    const layout = this.#layout;
    return {
      width: layout.width,
      height: layout.height,
      nodes: layout.nodes.map((node) => {
        const link = links.get(node.id);
        const lines = link !== undefined ? linkLines(link, false) : topicLines(topics.get(node.id)!, false);
        return { id: node.id, name: node.id.slice(node.id.indexOf(':') + 1), shape: node.shape, isDown: link !== undefined && link.live === 0, x: node.x, y: node.y, width: node.width, height: node.height, lines };
      }),
      edges: layout.edges.map((edge) => ({ from: edge.from, to: edge.to, kind: edge.kind, path: edge.path, perSecond: rates.get(`${edge.from}\u0000${edge.to}`) ?? 0 })),
    };
  }
}

function modelOf(snapshot: TopologySnapshot): GraphModel {
  return {
    links: snapshot.links.map((l) => ({
      id: `link:${l.name}`,
      name: l.name,
      kind: l.kind,
      generators: [],
      rpcMethods: l.rpcMethods,
      tables: Object.keys(l.tables),
      missingInputs: false,
      missingOutput: false,
    })),
    topics: snapshot.topics.map((t) => ({ id: `topic:${t.name}`, name: t.name })),
    edges: snapshot.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind })),
  };
}

/** A link's box: name, kind and instances, rates, lag and failures, tables, RPC methods. */
function linkLines(link: LinkView, isWidest: boolean): BoxLine[] {
  const n = (value: number, widest: string) => (isWidest ? widest : formatNumber(value));
  const instances = isWidest ? WIDEST.instances : link.live;
  const gone = link.instances.length - link.live;
  const hasFailures = !isWidest && (link.errors > 0 || link.deadLetters > 0 || link.deliveryErrors > 0);
  const lines: BoxLine[] = [
    { text: link.name, style: 'title' },
    { text: `${link.kind} · ${instances} instance${instances === 1 ? '' : 's'}${isWidest ? ' (+99 down)' : gone > 0 ? ` (+${gone} down)` : ''}`, style: 'caption' },
    { text: `in ${n(link.inPerSecond, WIDEST.rate)}/s · out ${n(link.outPerSecond, WIDEST.rate)}/s`, style: 'detail' },
    { text: `lag ${n(link.lag, WIDEST.lag)}`, style: 'detail' },
    { text: `errors ${n(link.errors, WIDEST.failures)} · dlq ${n(link.deadLetters, WIDEST.failures)}`, style: hasFailures ? 'warning' : 'detail' },
  ];
  for (const [table, entries] of Object.entries(link.tables)) lines.push({ text: `table ${table}: ${n(entries, WIDEST.count)}`, style: 'detail' });
  for (const method of link.rpcMethods) lines.push({ text: `rpc ${method}()`, style: 'detail' });
  return lines;
}

function topicLines(topic: TopicView, isWidest: boolean): BoxLine[] {
  return [
    { text: topic.name, style: 'topic' },
    { text: isWidest ? `${WIDEST.rate}/s` : `${formatNumber(Math.max(topic.writtenPerSecond, topic.readPerSecond))}/s`, style: 'caption' },
  ];
}

/** 1234567.8 → "1,234,568"; below 10, one decimal ("2.5"). */
export function formatNumber(value: number): string {
  return value < 10 && !Number.isInteger(value) ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}
