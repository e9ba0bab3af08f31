import { confluentClient } from './confluent.ts';
import { kafkajsClient } from './kafkajs.ts';
import { platformaticClient } from './platformatic.ts';
import type { BenchConnection } from './reach.ts';
import type { ClientName, ClientUnderTest } from './types.ts';

export async function clientUnderTest(
  name: ClientName,
  connection: BenchConnection,
): Promise<ClientUnderTest> {
  switch (name) {
    case 'kafkajs':
      return kafkajsClient(connection);
    case 'platformatic':
      return platformaticClient(connection);
    case 'confluent':
      return confluentClient(connection);
  }
}
