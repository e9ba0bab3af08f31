import type { AvroCodec } from '@inventory/codec';
import { readToEnd } from '@inventory/kafka';
import type { Kafka } from 'kafkajs';
import { unknownRegion } from './fold/totals.ts';

/** Region of each location, from the master-data topic the platform owns. */
export class LocationDirectory {
  private regions = new Map<string, string>();

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: AvroCodec,
    private readonly topic: string,
  ) {}

  /** Reads the whole compacted topic; the newest record of each location wins. */
  async refresh(): Promise<number> {
    const regions = new Map<string, string>();
    await readToEnd(
      this.kafka,
      this.topic,
      async (message) => {
        if (!message.value) return;
        const location = await this.codec.decode(message.value, 'Location');
        regions.set(location.locationId, location.region);
      },
      { groupPrefix: 'inventory-aggregator-locations' },
    );
    this.regions = regions;
    return regions.size;
  }

  regionOf = (locationId: string): string => this.regions.get(locationId) ?? unknownRegion;
}
