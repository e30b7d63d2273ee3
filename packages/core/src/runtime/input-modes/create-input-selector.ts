import type { LinkSettings } from '../link-settings.js';
import type { PartitionGate } from '../partition-gate.js';
import { ExpSelector } from './exp-selector.js';
import { ParitySelector, type InputSelector } from './input-selector.js';
import { PrioritySelector } from './priority-selector.js';

/** The selector of the link's `--input-mode`, pausing and resuming through the link's gate. */
export function createInputSelector(settings: LinkSettings, gate: PartitionGate, topics: { topic: string; priority: number }[]): InputSelector {
  const pause = (partitions: Parameters<PartitionGate['hold']>[1]) => gate.hold('input-mode', partitions);
  const resume = (partitions: Parameters<PartitionGate['release']>[1]) => gate.release('input-mode', partitions);
  switch (settings.inputMode) {
    case 'parity':
      return new ParitySelector();
    case 'priority':
      return new PrioritySelector(pause, resume, topics);
    case 'exp':
      return new ExpSelector(pause, resume, topics, settings.expWindowSizeS * 1000);
  }
}
