import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { defineLink } from '@catenae/core';
import { loadLinks } from '../load-links.js';
import { buildGraphModel } from './graph-model.js';
import { layoutGraph } from './layout-graph.js';
import { renderSvg } from './render-svg.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
}

// A strict reader for the XML subset an SVG document uses (elements, attributes in double quotes,
// text, the five entities): it fails on anything ill-formed, which is what these tests check.
function parseXml(xml: string): XmlElement[] {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const badAmp = /&(?!(amp|lt|gt|quot|apos|#\d+);)/;
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    assert.doesNotMatch(text, badAmp, `a bare & in text near ${at}`);
    if (open.length === 0) assert.equal(text.trim(), '', 'text outside the root element');
    else open.at(-1)!.text += text;
    if (lt < 0) break;
    tag.lastIndex = lt;
    const match = tag.exec(xml);
    assert.ok(match, `malformed tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, close, name, attrText, selfClose] = match;
    if (close) {
      assert.equal(open.pop()?.name, name, `</${name}> closes another element`);
    } else {
      assert.ok(open.length > 0 || elements.length === 0, 'a second root element');
      const attrs: Record<string, string> = {};
      for (const [, key, value] of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        assert.ok(!(key! in attrs), `attribute ${key} twice on <${name}>`);
        assert.doesNotMatch(value!, badAmp, `a bare & in ${key}`);
        attrs[key!] = value!;
      }
      const element = { name: name!, attrs, text: '' };
      elements.push(element);
      if (!selfClose) open.push(element);
    }
    at = tag.lastIndex;
  }
  assert.equal(open.length, 0, `unclosed <${open.at(-1)?.name}>`);
  return elements;
}

test('the word count as SVG is well-formed XML with a node per link and per topic', async () => {
  const links = await loadLinks(['streamer', 'mapper', 'reducer', 'tally'].map((n) => `examples/dist/wordcount/${n}.js`), root);
  const model = buildGraphModel(links);
  const elements = parseXml(renderSvg(model));
  assert.equal(elements[0]!.name, 'svg');
  assert.equal(elements[0]!.attrs.xmlns, 'http://www.w3.org/2000/svg');
  const groups = elements.filter((e) => e.name === 'g' && e.attrs['data-id']);
  assert.deepEqual(groups.filter((g) => g.attrs.class!.startsWith('link ')).map((g) => [g.attrs['data-id'], g.attrs.class]), [
    ['link:Streamer', 'link source'],
    ['link:Mapper', 'link middle'],
    ['link:Reducer', 'link middle'],
    ['link:Tally', 'link leaf'],
  ]);
  assert.equal(groups.filter((g) => g.attrs.class === 'topic topic').length, model.topics.length);
  const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
  for (const expected of ['Streamer', 'Mapper', 'Reducer', 'Tally', 'mapper_input', 'reducer_input', 'word_counts', 'table counts', 'rpc snapshot()', 'rpc reset()']) {
    assert.ok(texts.includes(expected), `the drawing shows ${expected}`);
  }
  const edges = elements.filter((e) => e.name === 'path' && e.attrs.class?.startsWith('edge '));
  assert.equal(edges.length, model.edges.length);
  assert.ok(edges.every((e) => e.attrs['marker-end'] === 'url(#arrow)'));
});

test('sources are drawn left of what they feed, and a cycle stays inside the drawing', () => {
  const model = buildGraphModel([
    defineLink({ name: 'Source', output: 'a', generator() {} }),
    defineLink({ name: 'Loop', output: 'b', transforms: [{ topic: 'a', priority: 1, handle() {} }, { topic: 'c', priority: 2, handle() {} }] }),
    defineLink({ name: 'Back', inputs: ['b'], output: 'c', transform() {} }),
    defineLink({ name: 'Sink', inputs: ['b', 'outside'], transform() {} }),
  ]);
  const layout = layoutGraph(model);
  const rank = Object.fromEntries(layout.nodes.map((n) => [n.id, n.rank]));
  assert.equal(rank['link:Source'], 0);
  assert.ok(rank['link:Source']! < rank['topic:a']! && rank['topic:a']! < rank['link:Loop']! && rank['link:Loop']! < rank['link:Sink']!);
  assert.equal(rank['topic:outside'], rank['link:Sink']! - 1, 'a topic nobody writes sits next to its reader');
  for (const node of layout.nodes) {
    assert.ok(node.x >= 0 && node.y >= 0 && node.x + node.width <= layout.width && node.y + node.height <= layout.height, `${node.id} inside`);
  }
  const labels = layout.edges.flatMap((e) => (e.label ? [e.label] : []));
  assert.deepEqual(labels.map((l) => l.text).sort(), ['priority 1', 'priority 2']);
  assert.ok(labels.every((l) => l.y <= layout.height));
  parseXml(renderSvg(model));
});

test('names with XML characters are escaped', () => {
  const svg = renderSvg(buildGraphModel([defineLink({ name: `<Tom & "Jerry's">`, inputs: ['in'], transform() {} })]));
  const texts = parseXml(svg).filter((e) => e.name === 'text').map((e) => e.text);
  assert.ok(texts.includes('&lt;Tom &amp; &quot;Jerry&apos;s&quot;&gt;'));
});
