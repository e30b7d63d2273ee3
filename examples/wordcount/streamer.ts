import { Link } from '@catenae/core';
import { Streamer as TextStreamer } from '../filter/streamer.js';

/** The word count's source: the filter example's streamer, writing to the mappers' input by default. */
@Link({ name: 'Streamer', output: 'mapper_input' })
export class Streamer extends TextStreamer {}
