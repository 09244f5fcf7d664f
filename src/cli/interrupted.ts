import { CliExit } from './exit.js';

/** Ctrl-C while a command waits: not a failure of the command, so it exits 130 like a shell would. */
export class Interrupted extends CliExit {
  constructor(message = '') {
    super(130, message);
    this.name = 'Interrupted';
  }
}
