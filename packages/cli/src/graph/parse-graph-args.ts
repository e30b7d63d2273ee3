import { CatenaeError, ErrorCode } from '@catenae/core';
import { ArgvCursor } from '../argv-cursor.js';

/** Topics given on the command line for the links of one file, as `catenae run` takes them. */
export interface TopicOverride {
  inputs?: string[];
  output?: string;
}

/** What `catenae graph` was asked to draw, and where. */
export interface GraphRequest {
  /** The link modules, as given, each with the -i/-o given after it. */
  files: { file: string; override: TopicOverride }[];
  format: 'mermaid' | 'svg';
  /** Where to write; undefined: standard output. */
  out: string | undefined;
}

const FORMATS = ['mermaid', 'svg'] as const;

/**
 * Parses `catenae graph <file> [-i a,b] [-o t] [<file> [-i ...] [-o ...]]... [--out f] [--format f]`.
 * `-i`/`-o` apply to the file just before them (with one file, anywhere). The format defaults to
 * the `--out` file's extension (`.svg`; `.mmd` for Mermaid), else Mermaid.
 * @throws CatenaeError `CATENAE_BAD_FLAG` naming the bad flag or value.
 */
export function parseGraphArgs(argv: readonly string[]): GraphRequest {
  const files: GraphRequest['files'] = [];
  const early: TopicOverride = {};
  let out: string | undefined;
  let format: string | undefined;
  const args = new ArgvCursor(argv);
  const value = (): string => args.value();
  while (args.next()) {
    const name = args.name;
    if (!args.isFlag) {
      files.push({ file: name, override: {} });
      continue;
    }
    const target = files.at(-1)?.override ?? early;
    switch (name) {
      case '-i':
      case '--input':
        target.inputs = topics(name, value());
        break;
      case '-o':
      case '--output':
        target.output = value();
        break;
      case '--out':
        out = value();
        break;
      case '--format':
        format = value();
        break;
      default:
        throw new CatenaeError(ErrorCode.BadFlag, `unknown flag ${name} for catenae graph: see catenae graph --help`);
    }
  }
  if (files.length === 0) throw new CatenaeError(ErrorCode.BadFlag, 'catenae graph needs at least one link file, e.g. catenae graph ./dist/mapper.js');
  if (early.inputs !== undefined || early.output !== undefined) {
    if (files.length > 1) throw new CatenaeError(ErrorCode.BadFlag, '-i and -o apply to the file given before them: put them after the link file they are for');
    files[0]!.override = { ...early, ...files[0]!.override };
  }
  return { files, format: formatOf(format, out), out };
}

function formatOf(format: string | undefined, out: string | undefined): GraphRequest['format'] {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new CatenaeError(ErrorCode.BadFlag, `--format "${format}" is not one of ${FORMATS.join(', ')}`);
    return format as GraphRequest['format'];
  }
  if (out === undefined) return 'mermaid';
  if (/\.svg$/i.test(out)) return 'svg';
  if (/\.(mmd|mermaid)$/i.test(out)) return 'mermaid';
  throw new CatenaeError(ErrorCode.BadFlag, `--out "${out}": cannot tell the format from its extension; end it in .svg or .mmd, or give --format svg|mermaid`);
}

function topics(flag: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length === 0) throw new CatenaeError(ErrorCode.BadFlag, `${flag} "${value}" names no topic`);
  return items;
}
