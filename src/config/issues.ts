// What is wrong with a configuration: each problem names the field's path. Shared by validation,
// the source defaults' checks and the planning stage.
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    this.name = "ConfigError";
  }
}
