// The soak's middle link: rewrites each value (keeping its key and send time), as a typical map does.
import { Electron, defineLink } from '@catenae/core';

export const SoakMap = defineLink({
  name: 'SoakMap',
  transform(electron) {
    const value = electron.value;
    const cut = value.lastIndexOf(':');
    return new Electron({ key: electron.key, value: `${value.slice(0, cut)}:${value.slice(cut + 1).toUpperCase()}` });
  },
});
