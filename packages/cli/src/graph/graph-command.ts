import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CatenaeError, ErrorCode, checkUniqueNames, type LinkDefinition } from '@catenae/core';
import { loadLinks } from '../load-links.js';
import { buildGraphModel } from './graph-model.js';
import { parseGraphArgs, type TopicOverride } from './parse-graph-args.js';
import { renderMermaid } from './render-mermaid.js';
import { renderSvg } from './render-svg.js';

/** Where `catenae graph` reads files from and writes to; the process's own by default. */
export interface GraphIo {
  cwd?: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/**
 * `catenae graph <files...> [-i a,b] [-o t] [--out file.svg] [--format mermaid|svg]`: loads the
 * link modules as `catenae run` does and draws their topology from the decorator metadata,
 * Mermaid on standard output by default. Resolves with the exit code (0).
 * @throws CatenaeError `CATENAE_BAD_FLAG`, `CATENAE_NO_LINK`, `CATENAE_DUPLICATE_LINK`.
 */
export async function graphCommand(argv: readonly string[], io: GraphIo = {}): Promise<number> {
  const { cwd = process.cwd(), stdout = (text) => process.stdout.write(text), stderr = (text) => process.stderr.write(text) } = io;
  const request = parseGraphArgs(argv);
  const links: LinkDefinition[] = [];
  for (const { file, override } of request.files) {
    const found = await loadLinks([file], cwd);
    links.push(...applyOverride(file, found, override));
  }
  checkUniqueNames(links);
  const model = buildGraphModel(links);
  const text = request.format === 'svg' ? renderSvg(model) : renderMermaid(model);
  if (request.out === undefined) {
    stdout(text);
    return 0;
  }
  const path = resolve(cwd, request.out);
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new CatenaeError(ErrorCode.BadFlag, `--out "${request.out}" cannot be written: ${(err as Error).message}`, { cause: err });
  }
  stderr(`catenae: wrote ${request.out} (${model.links.length} links, ${model.topics.length} topics)\n`);
  return 0;
}

function applyOverride(file: string, links: LinkDefinition[], override: TopicOverride): LinkDefinition[] {
  if (override.inputs === undefined && override.output === undefined) return links;
  if (links.length > 1) {
    throw new CatenaeError(
      ErrorCode.BadFlag,
      `-i and -o apply to one link, but ${file} exports ${links.length} (${links.map((l) => l.name).join(', ')}): set their topics in @Link`,
    );
  }
  const [link] = links as [LinkDefinition];
  return [{ ...link, options: { ...link.options, ...override } }];
}
