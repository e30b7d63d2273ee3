// The forwarding stage as a Catenae link: every electron goes on, unchanged, to the output.
import { defineLink } from '@catenae/core';

export const Forward = defineLink({ name: 'Forward', transform: (electron) => electron });
