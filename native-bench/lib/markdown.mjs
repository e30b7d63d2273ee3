// Markdown pieces of the generated parts of RESULTS.md.

/** A markdown table of `head` and `rows` (arrays of cells). */
export const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The verdict cell of a goal. */
export const goal = (ok) => (ok ? 'met' : '**not met**');
