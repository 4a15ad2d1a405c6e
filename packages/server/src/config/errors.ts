/** A configuration that cannot run. Its message names every bad field, one per line; the CLI exits with 2. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly sources: string[],
  ) {
    super(`Invalid tiepdan configuration (${sources.join(', ') || 'defaults'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
