/** Builds the scale catalogue platform file (YAML text) for `count` chains on `hostCount` hosts. */
export function scaleYaml(count?: number, hostCount?: number): string;
