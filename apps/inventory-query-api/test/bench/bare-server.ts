// The baseline for query-bench: fastify answering a fixed body from memory, no auth, no I/O.
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/bare', async (_request, reply) => reply.type('application/json').send(body));
await app.listen({ host: '127.0.0.1', port: Number(process.env.BARE_PORT ?? 19196) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
