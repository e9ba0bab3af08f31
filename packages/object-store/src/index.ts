export * from './bucket.ts';
export * from './checksums.ts';
export * from './client.ts';
export * from './errors.ts';
export * from './settings.ts';

/** The platform's buckets: the data lake, and the ERP payload archive (its name is the seed's). */
export const buckets = { lake: 'inventory-lake', erpArchive: 'company-erp-backups' } as const;
