/** What a CLI command gets: streams and the environment, so tests can run it in-process. */
export interface CliIO {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

/** A command: takes its own arguments (after the command name), returns the exit code. */
export type CliCommand = (args: readonly string[], io: CliIO) => Promise<number>;

/** Writes a chunk and waits for the stream to drain when it asks to, so large outputs stay bounded in memory. */
export async function writeOut(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) {
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
}
