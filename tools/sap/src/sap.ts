import { readFileSync } from 'node:fs';
import pg from 'pg';

const root = new URL('../../../', import.meta.url);
export const schemaSql = () => readFileSync(new URL('deploy/connect/sap/schema.sql', root), 'utf8');
export const plantsFile = () => new URL('deploy/local/seed/sap-plants.json', root).pathname;

export interface Plants {
  client: string;
  storageLocations: { werks: string; lgort: string; locationId: string }[];
}

export const loadPlants = (): Plants => JSON.parse(readFileSync(plantsFile(), 'utf8')) as Plants;

export async function withSap<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the tables and the publication (idempotent). */
export async function setupSchema(url: string): Promise<void> {
  await withSap(url, (client) => client.query(schemaSql()));
}

export interface GoodsMovement {
  matnr: string;
  werks: string;
  lgort: string;
  /** Signed: > 0 receipt (SHKZG S), < 0 issue (SHKZG H). */
  quantity: number;
  /** SAP movement type: 101 goods receipt, 201 goods issue, 701 inventory difference, ... */
  bwart?: string;
}

/**
 * Posts one material document as SAP does: MKPF header, one MSEG line per movement, and the
 * MARD stock of each line's storage location changed, all in one transaction. Returns the
 * document number.
 */
export async function postGoodsMovement(
  client: pg.Client,
  mandt: string,
  lines: GoodsMovement[],
): Promise<string> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ mblnr: string }>(
      "SELECT nextval('sapsr3.mblnr_seq')::text AS mblnr",
    );
    const mblnr = rows[0]?.mblnr as string;
    await client.query(
      `INSERT INTO sapsr3.mkpf (mandt, mblnr, mjahr, bldat, budat, cputm, usnam)
       VALUES ($1, $2, extract(year FROM now()), current_date, current_date, localtime(0), 'INVENTORY')`,
      [mandt, mblnr],
    );
    for (const [i, line] of lines.entries()) {
      await client.query(
        `INSERT INTO sapsr3.mseg (mandt, mblnr, mjahr, zeile, bwart, matnr, werks, lgort, shkzg, menge)
         VALUES ($1, $2, extract(year FROM now()), $3, $4, $5, $6, $7, $8, $9)`,
        [
          mandt,
          mblnr,
          i + 1,
          line.bwart ?? (line.quantity >= 0 ? '101' : '201'),
          line.matnr,
          line.werks,
          line.lgort,
          line.quantity >= 0 ? 'S' : 'H',
          Math.abs(line.quantity),
        ],
      );
      await client.query(
        `INSERT INTO sapsr3.mard (mandt, matnr, werks, lgort, labst) VALUES ($1, $2, $3, $4, greatest($5, 0))
         ON CONFLICT (mandt, matnr, werks, lgort) DO UPDATE SET labst = greatest(sapsr3.mard.labst + $5, 0)`,
        [mandt, line.matnr, line.werks, line.lgort, line.quantity],
      );
    }
    await client.query('COMMIT');
    return mblnr;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
