import type { Transport } from '../../transport/transport.js';
import type { LinkSettings } from '../link-settings.js';
import { ExpSelector } from './exp-selector.js';
import { ParitySelector, type InputSelector } from './input-selector.js';
import { PrioritySelector } from './priority-selector.js';

/** The selector of the link's `--input-mode`, acting on its transport. */
export function createInputSelector(settings: LinkSettings, transport: Transport, topics: { topic: string; priority: number }[]): InputSelector {
  const pause = (partitions: Parameters<Transport['pause']>[0]) => transport.pause(partitions);
  const resume = (partitions: Parameters<Transport['resume']>[0]) => transport.resume(partitions);
  switch (settings.inputMode) {
    case 'parity':
      return new ParitySelector();
    case 'priority':
      return new PrioritySelector(pause, resume, topics);
    case 'exp':
      return new ExpSelector(pause, resume, topics, settings.expWindowSizeS * 1000);
  }
}
