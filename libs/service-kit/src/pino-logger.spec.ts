import { withLogContext } from '@botplatform/bus';
import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { PinoLoggerService, readableLogLine } from './pino-logger.js';

/** A pino destination that keeps each line as parsed JSON. */
function captured() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('PinoLoggerService', () => {
  it('writes JSON lines with the log context of the work being done', async () => {
    const { lines, destination } = captured();
    const logger = new PinoLoggerService({ service: 'users', destination });
    logger.log('outside any work', 'Bootstrap');
    await withLogContext({ correlationId: 'c-1', botId: 'b-1' }, async () => {
      await Promise.resolve();
      withLogContext({ eventId: 'e-1', service: 'notifications' }, () => logger.warn('inside', 'Consumer'));
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, msg: 'outside any work', context: 'Bootstrap', service: 'users' }),
      expect.objectContaining({ level: 40, msg: 'inside', context: 'Consumer', service: 'notifications', correlationId: 'c-1', botId: 'b-1', eventId: 'e-1' }),
    ]);
    expect(lines[0]).not.toHaveProperty('correlationId');
  });

  it("takes Nest's Logger calls, with an error's stack, and writes no bot token", () => {
    const { lines, destination } = captured();
    const service = new PinoLoggerService({ destination });
    const logger = new Logger('Rpc');
    Logger.overrideLogger(service);
    try {
      logger.error('unhandled error in rpc.users.get-member with 7000000044:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1', 'Error: boom\n    at x');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines).toEqual([expect.objectContaining({ level: 50, context: 'Rpc', stack: 'Error: boom\n    at x' })]);
    expect(JSON.stringify(lines)).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1');
  });

  it('writes nothing below its level', () => {
    const { lines, destination } = captured();
    const logger = new PinoLoggerService({ destination, level: 'info' });
    logger.debug('detail');
    logger.log('kept');
    expect(lines.map((line) => line.msg)).toEqual(['kept']);
  });
});

describe('readableLogLine (LOG_FORMAT=pretty, or a terminal)', () => {
  it('puts time, level, service, context, message and the correlation id on one line', () => {
    const json = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 10, 30, 12, 0, 1),
      service: 'users',
      context: 'RpcClient',
      msg: 'slow',
      correlationId: '1a2b3c4d-0000',
    });
    expect(readableLogLine(json)).toBe('12:00:01 WARN  users [RpcClient] slow (correlation 1a2b3c4d)');
  });

  it('keeps an error stack on the following lines, and a line that is not JSON as it is', () => {
    const json = JSON.stringify({ level: 50, time: 0, service: 'gateway', msg: 'failed', stack: 'Error: x\n    at y' });
    expect(readableLogLine(json)).toBe('00:00:00 ERROR gateway failed\nError: x\n    at y');
    expect(readableLogLine('not json\n')).toBe('not json');
  });
});
