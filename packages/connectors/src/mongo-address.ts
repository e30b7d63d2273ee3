/** The connection string for what `-m` was given: a `mongodb://` / `mongodb+srv://` URI as is, else `host:port` made one. */
export function mongoUri(address: string): string {
  return /^mongodb(\+srv)?:\/\//.test(address) ? address : `mongodb://${address}`;
}

/** The hosts of a `-m` address, for messages: credentials, database and options left out. */
export function describeMongoAddress(address: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(address);
  return match ? match[1]! : address;
}
