import { Link, Transform, type Electron } from '@catenae/core';

/** The leaf link: reads `upper` and prints each line; it emits nothing. */
@Link({ inputs: ['upper'] })
export class Printer {
  /** The lines printed so far (the test reads them). */
  readonly printed: string[] = [];

  @Transform()
  print(line: Electron<string>) {
    this.printed.push(line.value);
    console.log(`${line.key}: ${line.value}`);
  }
}
