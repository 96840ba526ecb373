import { createServiceOrm, PostgresEventStore } from '@botplatform/event-store';
import { LeaderboardIndex } from '@botplatform/gamification';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A restart of the gamification service's boards, in a process of its own (forked by
 * leaderboard.bench.ts with the database's URL): from the process's start to the boards ready, and the
 * process's memory with them. What it holds besides the boards is what the service holds too (Node,
 * MikroORM, pg), so its RSS is a fair stand-in for the service's.
 */
export interface RestartFigures {
  /** From the process's start (performance.timeOrigin) to `ready()` resolved. */
  readonly readyMs: number;
  /** `ready()` alone: the projection read through a cursor and the blocks filled, then the store followed. */
  readonly rebuildMs: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /**
   * The RSS 2 s after ready and one more full GC (the process idle, as a service after its start, whose idle GCs
   * V8's memory reducer runs): the rebuild's dead buffers (the driver's, its connection's) are freed by V8's
   * concurrent sweeping after the GC that found them dead, and until then they can pin the C allocator's heap, so
   * right at ready 0–35 MiB more may still count, by the run (ADR 0015, "Memory, measured").
   */
  readonly rssSettledBytes: number;
  readonly breakdownSettled: MemoryBreakdown;
  readonly heapAndBuffersBeforeBytes: number;
  readonly heapAndBuffersAfterBytes: number;
  readonly members: number;
  /** RankIndex.bytes of the board. */
  readonly boardBytes: number;
  /** RankIndex.bytes of every board the process holds (the bots' and the group's). */
  readonly allBoardBytes: number;
  /** The longest the event loop waited during the rebuild (what an answer or a health check could wait). */
  readonly eventLoopMaxDelayMs: number;
  /** Members on the group board (0 without a group). */
  readonly groupMembers: number;
  /** process.memoryUsage() before the rebuild and at ready, each after a full GC: where the RSS goes. */
  readonly usageBefore: NodeJS.MemoryUsage;
  readonly usage: NodeJS.MemoryUsage;
  /** Where the RSS is, before the rebuild and at ready: anonymous memory vs the mapped files (Node's own code), V8's spaces. */
  readonly breakdownBefore: MemoryBreakdown;
  readonly breakdown: MemoryBreakdown;
}

export interface MemoryBreakdown {
  /** /proc/self/status: RssAnon (heaps, the allocator's, V8's) and RssFile (the node binary and libraries mapped). */
  readonly rssAnonBytes: number;
  readonly rssFileBytes: number;
  /** V8's committed bytes per space (new_space, old_space, code_space, large_object_space…). */
  readonly heapSpacesCommittedBytes: Record<string, number>;
}

function memoryBreakdown(): MemoryBreakdown {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return {
    rssAnonBytes: kib('RssAnon'),
    rssFileBytes: kib('RssFile'),
    heapSpacesCommittedBytes: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.physical_space_size])),
  };
}

/** The group board's members as the service would answer them (from memory). */
async function groupSize(index: LeaderboardIndex, groupId: string): Promise<number> {
  const lookup = await index.groupBoard(groupId, index.botsOf(groupId));
  return lookup.kind === 'memory' ? lookup.board.size : 0;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAndBuffers = () => {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

const [databaseUrl, scope, groupId] = process.argv.slice(2);
const orm = await createServiceOrm({ clientUrl: databaseUrl, schema: 'gamification', migrations: [], poolSize: 2 });
try {
  const index = new LeaderboardIndex(orm, new PostgresEventStore(orm.em, { schema: 'gamification' }));
  gc();
  const usageBefore = process.memoryUsage();
  const breakdownBefore = memoryBreakdown();
  const rssBeforeBytes = usageBefore.rss;
  const heapAndBuffersBeforeBytes = heapAndBuffers();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const rebuildStart = performance.now();
  await index.ready();
  const readyMs = performance.now();
  delay.disable();
  gc();
  const figures: Omit<RestartFigures, 'rssSettledBytes' | 'breakdownSettled'> = {
    readyMs,
    rebuildMs: readyMs - rebuildStart,
    rssBeforeBytes,
    rssAfterBytes: process.memoryUsage().rss,
    heapAndBuffersBeforeBytes,
    heapAndBuffersAfterBytes: heapAndBuffers(),
    members: index.board({ kind: 'bot', botId: scope }).size,
    usageBefore,
    usage: process.memoryUsage(),
    breakdownBefore,
    breakdown: memoryBreakdown(),
    boardBytes: index.board({ kind: 'bot', botId: scope }).bytes,
    allBoardBytes: index.bytes,
    eventLoopMaxDelayMs: delay.max / 1e6,
    groupMembers: groupId ? await groupSize(index, groupId) : 0,
  };
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  gc();
  process.send?.({ ...figures, rssSettledBytes: process.memoryUsage().rss, breakdownSettled: memoryBreakdown() } satisfies RestartFigures);
} finally {
  await orm.close(true);
}
