/** The topic every instance of every link listens on for `broadcast` RPC. */
export const BROADCAST_TOPIC = 'catenae.rpc.broadcast';

/** Where calls and notifications to one instance, and replies to its calls, go. */
export function instanceTopic(uid: string): string {
  return `catenae.rpc.instance.${sanitize(uid)}`;
}

/** Where notifications to every instance of a link go. */
export function linkTopic(link: string): string {
  return `catenae.rpc.link.${sanitize(link)}`;
}

/** Where calls to one (any) instance of a link go: its instances share it through one group. */
export function linkCallTopic(link: string): string {
  return `catenae.rpc.link.${sanitize(link)}.call`;
}

/**
 * Where calls by key to a link go: as many partitions as the link's inputs, each read by the
 * instance that owns the same input partition (so by the owner of the key).
 */
export function linkKeyedTopic(link: string): string {
  return `catenae.rpc.link.${sanitize(link)}.keyed`;
}

/** The group through which instances of a link share calls made to the link. */
export function linkCallGroup(link: string): string {
  return `catenae_rpc_${sanitize(link).toLowerCase()}`;
}

/** The group of one instance's own RPC inbox. */
export function inboxGroup(uid: string): string {
  return `catenae_rpc_inbox_${sanitize(uid)}`;
}

// Topic names allow letters, digits, '.', '_' and '-'; uids and link names are mapped onto them.
function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The group in which one instance reads its link's notifications and the broadcasts. */
export function fanoutGroup(uid: string): string {
  return `catenae_rpc_fanout_${sanitize(uid)}`;
}
