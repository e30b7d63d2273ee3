import type { GeneratorSpec, LinkDefinition } from '@catenae/core';

/** How a link sits in the topology: a source has no input handler, a leaf has no output. */
export type LinkKind = 'source' | 'middle' | 'leaf';

/** A link as a node of the topology graph. */
export interface GraphLink {
  /** `link:<name>`, unique in the model. */
  id: string;
  name: string;
  kind: LinkKind;
  /** Source methods, as `generator lines()` or `generator poll() every 500 ms` (`defineLink`'s: `generator`). */
  generators: string[];
  /** Methods callable by RPC (statically known; who calls them is not). */
  rpcMethods: string[];
  /** Its tables, as `table <name>` (`windowed` for windowed ones). */
  tables: string[];
  /** A handler reads the default inputs, but no input topic is set (`-i` or `@Link({ inputs })`). */
  missingInputs: boolean;
  /** The link has generators or handlers that emit, but no output topic is set. */
  missingOutput: boolean;
}

/** A topic (stream) as a node of the topology graph. */
export interface GraphTopic {
  /** `topic:<name>`, unique in the model. */
  id: string;
  name: string;
}

/** A link writing a topic (`output`) or a topic read by a link (`input`). */
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'input' | 'output';
  /** The handler's priority, set only on inputs of links whose handlers have distinct or non-zero priorities. */
  priority?: number;
  /** The method that handles this input. */
  handler?: string;
}

/** The topology of a set of links: links and topics as nodes, reads and writes as edges. */
export interface GraphModel {
  links: GraphLink[];
  topics: GraphTopic[];
  edges: GraphEdge[];
}

/**
 * Builds the topology graph from link definitions (decorator metadata, after any overrides):
 * links and topics in the order first met, one input edge per topic a handler reads and one
 * output edge per link with a default output.
 */
export function buildGraphModel(definitions: readonly LinkDefinition[]): GraphModel {
  const topics = new Map<string, GraphTopic>();
  const topicId = (name: string): string => {
    let topic = topics.get(name);
    if (!topic) topics.set(name, (topic = { id: `topic:${name}`, name }));
    return topic.id;
  };
  const links: GraphLink[] = [];
  const edges: GraphEdge[] = [];
  for (const definition of definitions) {
    const id = `link:${definition.name}`;
    const inputs = inputEdges(definition);
    const output = definition.options.output;
    const kind: LinkKind = definition.transforms.length === 0 ? 'source' : output === undefined ? 'leaf' : 'middle';
    links.push({
      id,
      name: definition.name,
      kind,
      generators: definition.generators.map(generatorLabel),
      rpcMethods: [...definition.rpcMethods],
      tables: definition.tables.map((table) => `${table.options.window ? 'windowed table' : 'table'} ${table.name}`),
      missingInputs: definition.transforms.some((t) => t.topic === undefined) && (definition.options.inputs ?? []).length === 0,
      missingOutput: output === undefined && definition.generators.length > 0,
    });
    for (const input of inputs) edges.push({ from: topicId(input.topic), to: id, kind: 'input', ...input.extra });
    if (output !== undefined) edges.push({ from: id, to: topicId(output), kind: 'output' });
  }
  return { links, topics: [...topics.values()], edges };
}

function generatorLabel(g: GeneratorSpec): string {
  const name = g.method === 'generator' ? 'generator' : `generator ${g.method}()`;
  return g.interval === undefined ? name : `${name} every ${g.interval} ms`;
}

interface InputEdge {
  topic: string;
  extra: { priority?: number; handler: string };
}

// A handler naming a topic wins over the default-inputs handler for that topic, as at run time.
function inputEdges(definition: LinkDefinition): InputEdge[] {
  const byTopic = new Map<string, { priority: number; handler: string }>();
  for (const t of definition.transforms) {
    if (t.topic !== undefined) byTopic.set(t.topic, { priority: t.priority, handler: t.method });
  }
  const fallback = definition.transforms.find((t) => t.topic === undefined);
  if (fallback) {
    for (const topic of definition.options.inputs ?? []) {
      if (!byTopic.has(topic)) byTopic.set(topic, { priority: fallback.priority, handler: fallback.method });
    }
  }
  const priorities = new Set([...byTopic.values()].map((v) => v.priority));
  const showPriority = priorities.size > 1 || [...priorities].some((p) => p !== 0);
  return [...byTopic].map(([topic, { priority, handler }]) => ({
    topic,
    extra: showPriority ? { priority, handler } : { handler },
  }));
}
