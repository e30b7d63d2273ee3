import { Electron, Link, Transform } from '@catenae/core';

/** The middle link: reads `lines`, emits each line upper-cased to `upper` (`-i`/`-o` override them). */
@Link({ inputs: ['lines'], output: 'upper' })
export class Upper {
  @Transform()
  upper(line: Electron<string>) {
    return new Electron({ key: line.key, value: line.value.toUpperCase() });
  }
}
