-- SAP stock tables as an SAP team knows them (a subset of the columns), in the schema
-- SAPSR3 of the "sap" database. Applied idempotently by `npm run sap -- setup`.
--   MARD  storage location data for material: stock per material, plant, storage location
--   MKPF  header: material document
--   MSEG  document segment: material (one line per movement)
-- A goods movement (tools/sap) writes MKPF + MSEG and updates MARD-LABST in one
-- transaction, as SAP's posting does; Debezium captures MARD.
CREATE SCHEMA IF NOT EXISTS sapsr3;

CREATE TABLE IF NOT EXISTS sapsr3.mard (
  mandt  varchar(3)     NOT NULL,            -- client
  matnr  varchar(40)    NOT NULL,            -- material number
  werks  varchar(4)     NOT NULL,            -- plant
  lgort  varchar(4)     NOT NULL,            -- storage location
  labst  numeric(13, 3) NOT NULL DEFAULT 0,  -- valuated unrestricted-use stock
  insme  numeric(13, 3) NOT NULL DEFAULT 0,  -- stock in quality inspection
  speme  numeric(13, 3) NOT NULL DEFAULT 0,  -- blocked stock
  umlme  numeric(13, 3) NOT NULL DEFAULT 0,  -- stock in transfer
  lvorm  varchar(1)     NOT NULL DEFAULT '', -- flagged for deletion at storage location level
  PRIMARY KEY (mandt, matnr, werks, lgort)
);
-- Deletes must carry the whole old row for the normalizer to know which stock went away.
ALTER TABLE sapsr3.mard REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS sapsr3.mkpf (
  mandt  varchar(3)  NOT NULL,
  mblnr  varchar(10) NOT NULL,  -- material document number
  mjahr  numeric(4)  NOT NULL,  -- material document year
  bldat  date        NOT NULL,  -- document date
  budat  date        NOT NULL,  -- posting date
  cputm  time        NOT NULL,  -- time of entry
  usnam  varchar(12) NOT NULL,  -- user name
  PRIMARY KEY (mandt, mblnr, mjahr)
);

CREATE TABLE IF NOT EXISTS sapsr3.mseg (
  mandt  varchar(3)     NOT NULL,
  mblnr  varchar(10)    NOT NULL,
  mjahr  numeric(4)     NOT NULL,
  zeile  numeric(4)     NOT NULL,  -- item in material document
  bwart  varchar(3)     NOT NULL,  -- movement type (101 goods receipt, 201 issue to cost centre, 311 transfer, ...)
  matnr  varchar(40)    NOT NULL,
  werks  varchar(4)     NOT NULL,
  lgort  varchar(4)     NOT NULL,
  shkzg  varchar(1)     NOT NULL,  -- debit/credit indicator: S receipt, H issue
  menge  numeric(13, 3) NOT NULL,  -- quantity
  meins  varchar(3)     NOT NULL DEFAULT 'ST',
  PRIMARY KEY (mandt, mblnr, mjahr, zeile)
);

CREATE SEQUENCE IF NOT EXISTS sapsr3.mblnr_seq START 4900000000;

-- Created up front (Debezium's autocreate is off): the connector's role needs no CREATE on
-- the database, and what is published is reviewed here.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'inventory_sap') THEN
    CREATE PUBLICATION inventory_sap FOR TABLE sapsr3.mard;
  END IF;
END $$;
