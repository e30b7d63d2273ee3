// A strict reader for the YAML that docker/compose/*.yml is written in, so docker/check.mjs needs
// no package: block mappings and sequences, `#` comments, plain and double-quoted scalars,
// single-line JSON-style flow sequences, an anchor on a mapping (`x-link: &link`) and its merge
// (`<<: *link`). Anything else is an error naming the line, never a silent misreading; check.mjs
// also compares its result with PyYAML's where python3-yaml is installed.

/**
 * Parses `text` (the subset above) into plain objects, arrays, strings, numbers and booleans.
 * @throws Error `<file>:<line>: <what>` on anything outside the subset.
 */
export function readYamlSubset(text, file = 'yaml') {
  const lines = [];
  text.split('\n').forEach((raw, i) => {
    const content = stripComment(raw).trimEnd();
    if (content.trim() === '') return;
    if (/\t/.test(raw.slice(0, raw.length - raw.trimStart().length))) fail(file, i + 1, 'tab in indentation');
    lines.push({ indent: raw.length - raw.trimStart().length, text: content.trim(), line: i + 1 });
  });
  const anchors = new Map();
  let at = 0;

  const block = (indent) => (lines[at].text.startsWith('- ') || lines[at].text === '-' ? sequence(indent) : mapping(indent));

  function mapping(indent) {
    const explicit = {};
    const merged = [];
    while (at < lines.length && lines[at].indent === indent) {
      const { text: content, line } = lines[at];
      const match = /^([A-Za-z0-9_.<-][A-Za-z0-9_.<-]*|"[^"]*"):(?:\s+(.*))?$/.exec(content);
      if (!match) fail(file, line, `expected "key: value", got "${content}"`);
      const key = match[1].startsWith('"') ? JSON.parse(match[1]) : match[1];
      if (key in explicit) fail(file, line, `key "${key}" given twice`);
      at++;
      let rest = match[2] ?? '';
      let anchor;
      const anchored = /^&([\w-]+)$/.exec(rest);
      if (anchored) [anchor, rest] = [anchored[1], ''];
      let value;
      if (rest === '') value = at < lines.length && lines[at].indent > indent ? block(lines[at].indent) : null;
      else value = scalar(rest, line);
      if (anchor) anchors.set(anchor, value);
      if (key === '<<') {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(file, line, '<< merges a mapping');
        merged.push(value);
      } else explicit[key] = value;
    }
    if (at < lines.length && lines[at].indent > indent) fail(file, lines[at].line, 'unexpected indentation');
    return Object.assign({}, ...merged, explicit);
  }

  function sequence(indent) {
    const items = [];
    while (at < lines.length && lines[at].indent === indent && lines[at].text.startsWith('-')) {
      const { text: content, line } = lines[at];
      at++;
      const rest = content.slice(1).trim();
      if (rest === '' || /^[\w"-]+:(\s|$)/.test(rest)) fail(file, line, 'only scalars and flow sequences as sequence items');
      items.push(scalar(rest, line));
    }
    return items;
  }

  function scalar(rest, line) {
    const alias = /^\*([\w-]+)$/.exec(rest);
    if (alias) {
      if (!anchors.has(alias[1])) fail(file, line, `unknown alias *${alias[1]}`);
      return anchors.get(alias[1]);
    }
    if (rest.startsWith('[') || rest.startsWith('"')) {
      try {
        const value = JSON.parse(rest);
        if (Array.isArray(value) && !value.every((v) => typeof v === 'string' || typeof v === 'number')) throw new Error('nested');
        return value;
      } catch {
        fail(file, line, `not a JSON-style flow sequence or double-quoted string: ${rest}`);
      }
    }
    if (/^['{|>&!%@`]/.test(rest) || /:\s|\s#/.test(rest)) fail(file, line, `outside the subset: ${rest}`);
    if (/^(true|false)$/.test(rest)) return rest === 'true';
    if (/^-?\d+(\.\d+)?$/.test(rest)) return Number(rest);
    if (/^(null|~|yes|no|on|off|y|n)$/i.test(rest)) fail(file, line, `ambiguous scalar ${rest}: quote it`);
    return rest;
  }

  if (lines.length === 0) return null;
  if (lines[0].indent !== 0) fail(file, lines[0].line, 'the document must start at column 0');
  const document = block(0);
  if (at < lines.length) fail(file, lines[at].line, 'unexpected content');
  return document;
}

// A `#` starts a comment at the start of a line or after a space, outside double quotes.
function stripComment(raw) {
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"' && raw[i - 1] !== '\\') quoted = !quoted;
    else if (c === '#' && !quoted && (i === 0 || /\s/.test(raw[i - 1]))) return raw.slice(0, i);
  }
  return raw;
}

function fail(file, line, message) {
  throw new Error(`${file}:${line}: ${message}`);
}
