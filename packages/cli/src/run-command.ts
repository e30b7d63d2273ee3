import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatenaeError, ErrorCode, startLink, type LinkDefinition, type LinkExit, type LinkHandle, type StartOptions } from '@catenae/core';
import { importOptional } from './import-optional.js';
import { loadLinks, moduleUrlOf } from './load-links.js';
import { parseRunArgs } from './parse-run-args.js';

/**
 * `catenae run <files...> [flags] [-- link args]`: starts every link the files export, stops
 * them all on SIGINT/SIGTERM (drain, commit, finish), and resolves with 0 when every link did what
 * it was asked. A link that failed (or was stopped by `ctx.stop`, or left electrons in flight at
 * the shutdown timeout) is thrown as its `CatenaeError`, whose code gives the exit code; a second
 * signal exits at once with 128 + its number.
 */
export async function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const request = await parseRunArgs(argv, env);
  // Plugs the Kafka transport into the runtime; without -k the links run on the embedded broker.
  if (request.options.kafka !== undefined) {
    const kafka = await importOptional<typeof import('@catenae/kafka')>('@catenae/kafka', '-k (running on Kafka)');
    const kafkaConfig = { ...kafka.kafkaConfigFromEnv(env), ...request.options.kafkaConfig };
    if (Object.keys(kafkaConfig).length > 0) request.options.kafkaConfig = kafkaConfig;
  }
  // Plugs the stores in; core itself never loads a database driver.
  if (request.options.mongodb !== undefined || request.options.aerospike !== undefined) await loadConnectors();
  const links = await loadLinks(request.files, process.cwd());
  if (links.length > 1 && request.hasLinkTopics) {
    throw new CatenaeError(
      ErrorCode.BadFlag,
      `-i, -o and -g apply to one link, but ${request.files.join(' ')} export ${links.length} (${links.map((l) => l.name).join(', ')}): set their topics in @Link or run them separately`,
    );
  }
  await chooseStateDir(request.options, links);
  const handles: LinkHandle[] = [];
  const stopAll = (reason: string) => Promise.all(handles.map((handle) => handle.stop(reason)));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(128 + constants.signals[signal]);
    void stopAll(`received ${signal}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // refuseIdle: nothing outside this process can give a link work, so one with nothing to do is a mistake.
    for (const link of links) handles.push(await startLink(link, { ...request.options, moduleUrl: moduleUrlOf(link), refuseIdle: true }));
  } catch (err) {
    await stopAll('another link failed to start');
    throw err;
  }
  // A link that ends cleanly (its generators finished, --consumer-timeout) leaves the others
  // running; one that fails stops them all. The process ends when every link has.
  const exits: LinkExit[] = await Promise.all(
    handles.map((handle) =>
      handle.done.then((exit) => {
        if (!exit.ok) void stopAll(`${exit.reason} (in another link)`);
        return exit;
      }),
    ),
  );
  const failed = exits.find((exit) => !exit.ok);
  if (failed) throw failed.error ?? new CatenaeError(ErrorCode.Stopped, failed.reason);
  return 0;
}

/** Loads @catenae/connectors, which plugs the stores of -m and -a in. @throws CatenaeError `CATENAE_MISSING_PACKAGE` when absent. */
export async function loadConnectors(): Promise<void> {
  await importOptional('@catenae/connectors', '-m and -a (stores)');
}

/** Where the state of the links' tables lives when the run keeps any. */
export const DEFAULT_STATE_DIR = join(tmpdir(), 'catenae-state');

/**
 * Tables keep their shards on disk (`@catenae/state-lmdb`) on Kafka unless told otherwise, so a
 * restart replays only the changelog's tail; `--state-dir memory` and embedded runs keep them in
 * memory (the embedded broker's changelogs live no longer than the process). Without the package
 * and without an explicit `--state-dir`, tables stay in memory.
 */
export async function chooseStateDir(options: StartOptions, links: readonly LinkDefinition[]): Promise<void> {
  if (options.stateDir === 'memory') {
    delete options.stateDir;
    return;
  }
  if (!links.some((link) => link.tables.length > 0)) return;
  const isExplicit = options.stateDir !== undefined;
  if (!isExplicit && options.kafka === undefined) return;
  try {
    await import('@catenae/state-lmdb');
  } catch (err) {
    // Not installed: tables stay in memory, restored from the changelogs at every start.
    if (!isExplicit) return;
    const reason = (err as Error).message.split('\n')[0];
    throw new CatenaeError(ErrorCode.State, `--state-dir keeps tables in @catenae/state-lmdb: install it (pnpm add @catenae/state-lmdb), or pass --state-dir memory; ${reason}`);
  }
  options.stateDir ??= DEFAULT_STATE_DIR;
}
