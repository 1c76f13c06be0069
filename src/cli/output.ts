// Everything the CLI prints goes through an Io, so commands can run in-process
// in tests and the one error type is rendered in one place (main.ts).
// Machine output (JSON) goes to stdout; problems, warnings and notes to stderr.

export interface Io {
  /** One line of the command's answer (stdout). */
  out(line: string): void;
  /** One line of diagnostics: problems, warnings, notes (stderr). */
  err(line: string): void;
  /** Directory relative paths are read from (the shell's cwd). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): Io {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as Unix tools do.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * Exit codes: 1 for an invalid config or a failed test case, 2 for usage and
 * environment errors, 3 when another apply or rollback changed KV meanwhile.
 */
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
export const EXIT_CONFLICT = 3;

/**
 * A user-facing failure: one line that says what is wrong and what to do.
 * main.ts prints `edge-ingress: <message>` and exits with `exitCode`; never a stack trace.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Rows of cells as lines, each column padded to its widest cell; the last column is not padded. */
export function align(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
