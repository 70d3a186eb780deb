/**
 * Writes a simulated, labelled submission stream as JSON Lines in `watchpost assess`'s input
 * format, so it can be piped through the real command:
 *
 *     npm run build
 *     node dist/bench/assessment-sim/write-stream.js --config default --seed 1 \
 *       --out /tmp/stream.jsonl --labels /tmp/labels.jsonl --verdicts /tmp/expected.jsonl
 *     node dist/lib/cli/index.js assess < /tmp/stream.jsonl > /tmp/got.jsonl
 *     cmp /tmp/expected.jsonl /tmp/got.jsonl && echo identical
 *
 * `--labels` writes one {"kind", "type"} line per submission (the ground truth); `--verdicts`
 * writes the verdicts of the in-process analyzer (the benchmark's path) for comparison.
 */
import fs from 'node:fs';
import { AssessmentAnalyzer, REPEATABLE_THINNING_SEED } from '../../lib/core/assessment-analyzer';
import { parseAssessmentAnomalyOptions } from '../../lib/core/assessment-config';
import { MemoryBaselineStore } from '../../lib/stores/memory-baseline-store';
import { DEFAULT_SCENARIO, SHIFTED_SCENARIO, WIDE_SCENARIO, generateStream, toJsonLine } from './scenario';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function writeAll(path: string, lines: Iterable<string>): Promise<void> {
  const out = fs.createWriteStream(path);
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const configName = arg('config') ?? 'default';
  const scenario = { default: DEFAULT_SCENARIO, shifted: SHIFTED_SCENARIO, wide: WIDE_SCENARIO }[configName];
  if (!scenario) throw new Error(`--config must be "default", "shifted" or "wide", not ${JSON.stringify(configName)}`);
  const seed = Number(arg('seed') ?? '1');
  const outPath = arg('out');
  if (!outPath || !Number.isInteger(seed)) throw new Error('usage: write-stream --out FILE [--config default|shifted|wide] [--seed N] [--labels FILE] [--verdicts FILE]');
  const stream = generateStream(scenario, seed);
  await writeAll(outPath, stream.items.map((i) => toJsonLine(i.sub)));
  const labels = arg('labels');
  if (labels) await writeAll(labels, stream.items.map((i) => JSON.stringify({ kind: i.kind, type: i.sub.type })));
  const verdicts = arg('verdicts');
  if (verdicts) {
    const analyzer = new AssessmentAnalyzer({ store: new MemoryBaselineStore(), config: parseAssessmentAnomalyOptions({}), thinningSeed: REPEATABLE_THINNING_SEED });
    const lines: string[] = [];
    for (const item of stream.items) lines.push(JSON.stringify(await analyzer.analyze(item.sub)));
    await writeAll(verdicts, lines);
  }
  console.log(`${stream.items.length} submissions (${scenario.name}, seed ${seed}) written to ${outPath}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
