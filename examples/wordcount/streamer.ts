// The word count streams the same text as the filter example.
export { Streamer } from '../filter/streamer.js';
