#!/usr/bin/env node
// `node scripts/patch-dependencies.mjs [folder holding node_modules]`: corrections to installed
// dependencies that upstream will not release. Run after every install (the root package's
// postinstall, scripts/bootstrap.mjs, and the images' production install); idempotent. Each
// patch names its package's exact version and the text it replaces: an install of another
// version, or a file that reads otherwise, fails here by name instead of running unpatched.
//
// kafkajs 2.2.4 is its last release (unmaintained since 2023). Two costs it puts on every
// record a producer sends, measured in the aggregator's CPU profile (docs/benchmarks.md):
// - its protocol Encoder starts every record, and every header of a record, with a
//   zero-filled 512-byte Buffer.alloc: an ArrayBuffer each, filled with zeros only to be
//   overwritten. An Encoder exposes only the bytes it wrote (`buffer` is buf[0, offset), and
//   every write advances offset by exactly what it wrote), so Buffer.allocUnsafe serves the
//   same bytes, small ones from Node's shared pool.
// - grouping a send's messages by partition copies the partition's array for every message
//   (`[...current, message]`): quadratic in the records of one partition, which is every
//   record of an aggregator publication. Appending gives the same groups in the same order.
// - every varint (a record's length, its offset delta, the lengths of its key, value and
//   headers) went through an array and a Buffer.from of it before being copied in: five
//   short-lived objects per record and more per header (in the aggregator's profile under
//   live traffic, scripts/cpu-profile-summary.mjs listed `fromArrayLike`, Buffer.from of an
//   array, at 1.3 % of its busy time, and garbage collection at 19.6 %). The bytes are
//   written in place. A record's
//   timestamp delta, a varlong, made Long objects per byte to be sized and written; a number
//   whose zigzag fits 31 bits has a varint's bytes and goes that way.
// - a produce request copied every message (`{ ...message, offsetDelta, timestampDelta }`)
//   before encoding it; the record takes only its key, value and headers, named. With the
//   varints, encoding requests of 1 000 aggregator records fell from 4.5-4.6 to 3.3-3.7 us of
//   CPU a record on Node 24, and from 9.0-9.6 to 4.1-4.2 on Node 20
//   (scripts/bench-kafkajs-encoding.mjs, docs/benchmarks.md).
// - a transactional producer asks the cluster for its transaction coordinator
//   (FindCoordinator, a round trip) before every AddPartitionsToTxn and every EndTxn: two of
//   the five round trips of each aggregator publication. The coordinator's node is kept
//   until a request to it fails; the broker is still looked up (and connected) each time.
// - a consumer's `isStale()`, which a batch handler asks before each record so that it stops
//   at a seek, built the JSON text of [topic, partition] on every call, seek pending or not
//   (`getKey` at 3.2 % of the lake sink's busy time). With no seek pending it answers at once.
// - decoding a fetched record made Long objects for every byte of its timestamp delta, parsed
//   the batch's first offset (and, for CreateTime, first timestamp) from text into Longs to add
//   the record's delta, and gathered its headers by copying the headers object once per
//   header (in the ERP delivery's profile under the end-to-end benchmark, that reducer alone
//   had 5.2 % of the busy time, kafkajs' Long 3.1 %; docs/benchmarks.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const patches = [
  {
    name: 'kafkajs',
    version: '2.2.4',
    files: [
      {
        file: 'src/protocol/encoder.js',
        replacements: [
          [
            'this.buf = Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))',
            'this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))',
          ],
          ['const newBuffer = Buffer.alloc(newLength)', 'const newBuffer = Buffer.allocUnsafe(newLength)'],
          [
            `  writeUVarInt(value) {
    const byteArray = []
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      byteArray.push((value & OTHER_BITS) | MOST_SIGNIFICANT_BIT)
      value >>>= 7
    }
    byteArray.push(value & OTHER_BITS)
    this.writeBufferInternal(Buffer.from(byteArray))
    return this
  }`,
            `  writeUVarInt(value) {
    // Patched: the bytes are written in place (at most 5 for 32 bits) instead of through an
    // array and a Buffer made of it, per varint.
    this.ensureAvailable(5)
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      this.buf[this.offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT
      value >>>= 7
    }
    this.buf[this.offset++] = value & OTHER_BITS
    return this
  }`,
          ],
          [
            `  writeVarLong(value) {
    const byteArray = []`,
            `  writeVarLong(value) {
    // Patched: a number whose zigzag fits 31 bits (a record's timestamp delta, nearly always)
    // has the same bytes as a varint, without the Long objects made per byte.
    if (typeof value === 'number' && Number.isInteger(value) && value >= -0x40000000 && value < 0x40000000)
      return this.writeVarInt(value)
    const byteArray = []`,
          ],
          [
            `  static sizeOfVarLong(value) {
    let longValue`,
            `  static sizeOfVarLong(value) {
    // Patched: as writeVarLong, a number whose zigzag fits 31 bits is sized as a varint.
    if (typeof value === 'number' && Number.isInteger(value) && value >= -0x40000000 && value < 0x40000000)
      return Encoder.sizeOfVarInt(value)
    let longValue`,
          ],
        ],
      },
      {
        file: 'src/producer/eosManager/index.js',
        replacements: [
          [
            `  const findTransactionCoordinator = () => {
    return cluster.findGroupCoordinator({
      groupId: transactionalId,
      coordinatorType: COORDINATOR_TYPES.TRANSACTION,
    })
  }`,
            `  // Patched: the coordinator's node is kept until a request to it fails (the broker is still
  // looked up, and connected, each time) instead of a FindCoordinator round trip before
  // every AddPartitionsToTxn and every EndTxn.
  let transactionCoordinatorId = null
  const findTransactionCoordinator = async () => {
    if (transactionCoordinatorId !== null) {
      try {
        return await cluster.findBroker({ nodeId: transactionCoordinatorId })
      } catch (e) {
        transactionCoordinatorId = null
      }
    }
    const broker = await cluster.findGroupCoordinator({
      groupId: transactionalId,
      coordinatorType: COORDINATOR_TYPES.TRANSACTION,
    })
    transactionCoordinatorId = broker.nodeId
    return broker
  }
  const forgetCoordinatorOnError = request =>
    request.catch(e => {
      transactionCoordinatorId = null
      throw e
    })`,
          ],
          [
            `            const result = await broker.initProducerId({
              transactionalId: transactional ? transactionalId : undefined,
              transactionTimeout,
            })`,
            `            const result = await forgetCoordinatorOnError(broker.initProducerId({
              transactionalId: transactional ? transactionalId : undefined,
              transactionTimeout,
            }))`,
          ],
          [
            'await broker.addPartitionsToTxn({ transactionalId, producerId, producerEpoch, topics })',
            'await forgetCoordinatorOnError(broker.addPartitionsToTxn({ transactionalId, producerId, producerEpoch, topics }))',
          ],
          [
            `        await broker.endTxn({
          producerId,
          producerEpoch,
          transactionalId,
          transactionResult: true,
        })`,
            `        await forgetCoordinatorOnError(broker.endTxn({
          producerId,
          producerEpoch,
          transactionalId,
          transactionResult: true,
        }))`,
          ],
          [
            `        await broker.endTxn({
          producerId,
          producerEpoch,
          transactionalId,
          transactionResult: false,
        })`,
            `        await forgetCoordinatorOnError(broker.endTxn({
          producerId,
          producerEpoch,
          transactionalId,
          transactionResult: false,
        }))`,
          ],
          [
            `        await transactionCoordinator.addOffsetsToTxn({
          transactionalId,
          producerId,
          producerEpoch,
          groupId: consumerGroupId,
        })`,
            `        await forgetCoordinatorOnError(transactionCoordinator.addOffsetsToTxn({
          transactionalId,
          producerId,
          producerEpoch,
          groupId: consumerGroupId,
        }))`,
          ],
        ],
      },
      {
        file: 'src/protocol/decoder.js',
        replacements: [
          [
            `  readVarLong() {
    let currentByte
    let result = Long.fromInt(0)
    let i = 0
`,
            `  readVarLong() {
    // Patched: a varlong of up to four bytes (a zigzag of 28 bits: a record's timestamp delta,
    // nearly always) is read as a number and made one Long, instead of a Long per byte.
    const start = this.offset
    let small = 0
    for (let shift = 0; shift < 28; shift += 7) {
      const byte = this.buffer[this.offset++]
      small |= (byte & OTHER_BITS) << shift
      if (byte < MOST_SIGNIFICANT_BIT) return Long.fromInt((small >>> 1) ^ -(small & 1))
    }
    this.offset = start
    let currentByte
    let result = Long.fromInt(0)
    let i = 0
`,
          ],
        ],
      },
      {
        file: 'src/protocol/recordBatch/record/v0/decoder.js',
        replacements: [
          [
            `  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : Long.fromValue(firstTimestamp)
          .add(timestampDelta)
          .toString()

  const offsetDelta = decoder.readVarInt()
  const offset = Long.fromValue(firstOffset)
    .add(offsetDelta)
    .toString()
`,
            `  // Patched: a batch's first offset or timestamp plus a record's delta in numbers when the
  // sum is an exact integer (offsets and epoch milliseconds are), instead of Longs parsed
  // from text for every record; the same text either way.
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : sumAsText(batchContext, 'firstTimestamp', timestampDelta.toNumber(), () =>
          Long.fromValue(firstTimestamp).add(timestampDelta)
        )

  const offsetDelta = decoder.readVarInt()
  const offset = sumAsText(batchContext, 'firstOffset', offsetDelta, () =>
    Long.fromValue(firstOffset).add(offsetDelta)
  )
`,
          ],
          [
            `  const headers = decoder.readVarIntArray(HeaderDecoder).reduce(
    (obj, { key, value }) => ({
      ...obj,
      [key]:
        obj[key] === undefined
          ? value
          : Array.isArray(obj[key])
          ? obj[key].concat([value])
          : [obj[key], value],
    }),
    {}
  )
`,
            `  // Patched: the headers gathered into one object instead of a copy of it per header; a
  // repeated key still gives an array of its values in order. A key is looked up as the
  // object's own (a header named like an Object method no longer finds that method), and a
  // header named __proto__ is defined as a header, not assigned as the object's prototype.
  const headers = {}
  for (const { key, value } of decoder.readVarIntArray(HeaderDecoder)) {
    const current = Object.hasOwn(headers, key) ? headers[key] : undefined
    const next =
      current === undefined ? value : Array.isArray(current) ? current.concat([value]) : [current, value]
    if (key === '__proto__')
      Object.defineProperty(headers, key, { value: next, enumerable: true, writable: true, configurable: true })
    else headers[key] = next
  }
`,
          ],
          [
            `module.exports = (decoder, batchContext = {}) => {`,
            `// The batch's first offset and timestamp as numbers, parsed once per batch (its context is one
// object for all its records); NaN where not an exact integer.
const exactNumbers = new WeakMap()
const exactOf = text => {
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : Number.NaN
}
const sumAsText = (batchContext, field, delta, asLong) => {
  let numbers = exactNumbers.get(batchContext)
  if (numbers === undefined) {
    numbers = { firstOffset: exactOf(batchContext.firstOffset), firstTimestamp: exactOf(batchContext.firstTimestamp) }
    exactNumbers.set(batchContext, numbers)
  }
  const sum = numbers[field] + delta
  return Number.isSafeInteger(delta) && Number.isSafeInteger(sum) ? String(sum) : asLong().toString()
}

module.exports = (decoder, batchContext = {}) => {`,
          ],
        ],
      },
      {
        file: 'src/consumer/seekOffsets.js',
        replacements: [
          [
            `  has(topic, partition) {
    const key = this.getKey(topic, partition)`,
            `  has(topic, partition) {
    // Patched: no seek pending (nearly always) answers without building the key's JSON text.
    if (this.size === 0) return false
    const key = this.getKey(topic, partition)`,
          ],
        ],
      },
      {
        file: 'src/protocol/requests/produce/v3/request.js',
        replacements: [
          [
            `    Record({
      ...message,
      offsetDelta: i,`,
            `    // Patched: the fields a record encodes, named, instead of a copy of the whole message.
    Record({
      key: message.key,
      value: message.value,
      headers: message.headers,
      offsetDelta: i,`,
          ],
        ],
      },
      {
        file: 'src/producer/groupMessagesPerPartition.js',
        replacements: [
          [
            `  return messages.reduce((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition] || []
    return Object.assign(result, { [partition]: [...current, message] })
  }, {})`,
            `  const result = {}
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition]
    if (current) current.push(message)
    else result[partition] = [message]
  }
  return result`,
          ],
        ],
      },
    ],
  },
];

/**
 * A file's text with the patch's replacements made; the same text when they are made already.
 * Throws when a text to replace is neither there nor replaced.
 */
export function patchedText(text, replacements, where) {
  let out = text;
  for (const [from, to] of replacements) {
    if (out.includes(to)) continue;
    if (!out.includes(from))
      throw new Error(
        `${where}: the text this patch replaces is not there (${JSON.stringify(from.slice(0, 60))})`,
      );
    out = out.replace(from, to);
  }
  return out;
}

/**
 * The patched texts of the files under `folder`/node_modules that still lack a patch; none
 * once they are all applied.
 */
export function pendingPatches(folder) {
  const pending = [];
  for (const { name, version, files } of patches) {
    const dir = join(folder, 'node_modules', name);
    // A package an install leaves out (an image's app that does not use it) needs nothing.
    if (!existsSync(dir)) continue;
    const installed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    if (installed !== version)
      throw new Error(
        `${name} ${installed} is installed; scripts/patch-dependencies.mjs patches ${version}: review its patches for this version`,
      );
    for (const { file, replacements } of files) {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const next = patchedText(text, replacements, `${name}/${file}`);
      if (next !== text) pending.push({ file: `${name}/${file}`, path, text: next });
    }
  }
  return pending;
}

/** Patches the packages under `folder`/node_modules; returns the files changed. */
export function patchDependencies(folder) {
  const pending = pendingPatches(folder);
  for (const { path, text } of pending) writeFileSync(path, text);
  return pending.map(({ file }) => file);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  try {
    const changed = patchDependencies(folder);
    if (changed.length > 0) console.log(`[patch-dependencies] patched ${changed.join(', ')}`);
  } catch (error) {
    console.error(`[patch-dependencies] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
