// Prints a new random token and the token-file entry that stores only its hash:
//   npm run hash-token -w @inventory/store-ingest -- <clientId> <locationId>[,<locationId>...]
import { hashToken, newToken } from '@inventory/core';

const [clientId, locations] = process.argv.slice(2);
if (!clientId || !locations) {
  console.error('usage: hash-token <clientId> <locationId>[,<locationId>...]  ("*" for every location)');
  process.exit(2);
}
const token = newToken();
console.log(`token (give it to the client, it is not stored): ${token}`);
console.log(
  JSON.stringify({ clientId, tokenSha256: hashToken(token), locationIds: locations.split(',') }, null, 2),
);
