import type { AvroCodec, Location } from '@inventory/codec';
import { isRetriable } from '@inventory/core';
import type { Kafka } from 'kafkajs';
import { readToEnd } from './read.ts';

export const unknownRegion = 'unknown';

/** Region of each location, from the master-data topic the platform owns. */
export class LocationDirectory {
  private regions = new Map<string, string>();
  private records = new Map<string, Location>();

  /** Records that could not be decoded in the last refresh (skipped, not fatal). */
  skipped = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: AvroCodec,
    private readonly topic: string,
    private readonly groupPrefix: string,
  ) {}

  /** Reads the whole compacted topic; the newest record of each location wins. */
  async refresh(): Promise<number> {
    const regions = new Map<string, string>();
    const records = new Map<string, Location>();
    let skipped = 0;
    await readToEnd(
      this.kafka,
      this.topic,
      async (message) => {
        if (!message.value) return;
        try {
          const location = await this.codec.decode(message.value, 'Location');
          regions.set(location.locationId, location.region);
          records.set(location.locationId, location);
        } catch (error) {
          // One bad master-data record must not stop folding: its location counts as unknown.
          if (isRetriable(error)) throw error;
          skipped++;
        }
      },
      { groupPrefix: `${this.groupPrefix}-locations` },
    );
    this.regions = regions;
    this.records = records;
    this.skipped = skipped;
    return regions.size;
  }

  regionOf = (locationId: string): string => this.regions.get(locationId) ?? unknownRegion;

  /** A known location's home data centre (undefined for a location master data does not know). */
  dataCentreOf = (locationId: string): string | undefined => this.records.get(locationId)?.dataCentre;

  /** Every known location's master data, in locationId order. */
  locations = (): Location[] =>
    [...this.records.values()].sort((a, b) =>
      a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0,
    );

  /** Every known location with its region. */
  all(): ReadonlyMap<string, string> {
    return this.regions;
  }
}
