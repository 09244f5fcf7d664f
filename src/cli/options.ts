import { Option, type Command } from 'commander';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds a flag that may be given several times; its value is the list in order. */
export function repeatable(cmd: Command, flags: string, description: string): Command {
  return cmd.addOption(new Option(flags, description).argParser(collect));
}
