import { confluentClient } from './confluent.ts';
import { kafkajsClient } from './kafkajs.ts';
import { platformaticClient } from './platformatic.ts';
import type { ClientName, ClientUnderTest } from './types.ts';

export async function clientUnderTest(name: ClientName, brokers: string[]): Promise<ClientUnderTest> {
  switch (name) {
    case 'kafkajs':
      return kafkajsClient(brokers);
    case 'platformatic':
      return platformaticClient(brokers);
    case 'confluent':
      return confluentClient(brokers);
  }
}
