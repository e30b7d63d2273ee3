import { Electron, Link, Transform } from '@catenae/core';

/**
 * Counts the words of each line and emits one electron per word, keyed by the word, so every
 * count of one word reaches the same reducer instance. Run as many instances as you like: they
 * share the lines through their consumer group.
 */
@Link({ inputs: ['mapper_input'], output: 'reducer_input' })
export class Mapper {
  @Transform()
  *map(line: Electron<string>) {
    for (const [word, count] of countWords(line.value)) yield new Electron({ key: word, value: count });
  }
}

/** Occurrences of each word in a line, commas stripped. */
export function countWords(line: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of line.split(/\s+/)) {
    const word = raw.replace(/,/g, '');
    if (word.length > 0) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}
